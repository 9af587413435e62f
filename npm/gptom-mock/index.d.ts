export interface GptomMockOptions {
  /** Fixes every generated id, PAN and code (also GPTOM_MOCK_SEED). */
  seed?: number | string;
  /** Library scenario names or YAML files to start with. */
  scenarios?: string[];
  /** More `gptom-mock serve` arguments. */
  args?: string[];
  timeoutMs?: number;
}

export interface Verdict {
  passed: boolean;
  requests: number;
  rules: { id: string; title: string; outcome: "passed" | "failed" | "skipped"; evidence: unknown[] }[];
}

export interface CoverageCase {
  id: string;
  channel: "cloud" | "app-to-app";
  title: string;
  status: "not-met" | "mishandled" | "handled";
  produce: string;
  handled: string;
  evidence: { seq: number; request: string; status: number; note: string } | null;
}

export interface Coverage {
  percent: number;
  total: number;
  handled: number;
  mishandled: number;
  not_met: number;
  requests: number;
  cases: CoverageCase[];
}

export interface GptomMock {
  url: string;
  reset(): Promise<unknown>;
  advance(seconds: number): Promise<string>;
  useScenario(nameOrYaml: string): Promise<unknown>;
  clearScenario(): Promise<unknown>;
  requests(limit?: number): Promise<Record<string, unknown>[]>;
  verify(): Promise<Verdict>;
  verifyText(): Promise<string>;
  coverage(scope?: { client?: string; terminal?: string }): Promise<Coverage>;
  coverageText(): Promise<string>;
  /** The whole state, as `gptom-mock state export` writes it (no secrets). */
  exportState(): Promise<Record<string, unknown>>;
  /** Replaces the state with an exported one (an object or its JSON text). */
  importState(state: Record<string, unknown> | string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export function startGptomMock(options?: GptomMockOptions): Promise<GptomMock>;
export function binaryPath(): string;
