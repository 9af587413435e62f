#!/usr/bin/env python3
"""Sends N deep links of 60 KB to a running mock (GET /app2app) and prints the journal counters:
the byte bound at work. Usage: python3 reliability/journal-bound.py PORT [N=10000]."""
import http.client, sys, time, urllib.parse, json
port = int(sys.argv[1]); n = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
conn = http.client.HTTPConnection("127.0.0.1", port)
ref = "x" * 60000
link = "gptom://transaction/create?amount=100&originReferenceNum=" + ref
path = "/app2app?url=" + urllib.parse.quote(link, safe="")
t = time.time()
for i in range(n):
    conn.request("GET", path)
    r = conn.getresponse(); r.read()
conn.request("GET", "/__mock/health"); h = json.loads(conn.getresponse().read())
print(json.dumps({"seconds": round(time.time() - t, 1), "journal": h["journal"]}))
