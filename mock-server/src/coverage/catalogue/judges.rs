//! The steps the catalogue's judges share: judging every occurrence, polls to the final state,
//! blind retries, and one judge per family of cases.

use super::{Found, Verdict};
use crate::coverage::story::{LinkStory, Seen, Story, TaskStory};
use crate::domain::plan::PaymentResult;
use crate::domain::refusal::Refusal;

/// Judges every occurrence: the first mishandled one wins, else the first handled one.
pub(super) fn each<T>(
    items: impl IntoIterator<Item = T>,
    mut judge: impl FnMut(T) -> Result<Found, Found>,
) -> Verdict {
    let mut first = None;
    for item in items {
        match judge(item) {
            Err(found) => return Verdict::Mishandled(found),
            Ok(found) => {
                first.get_or_insert(found);
            }
        }
    }
    first.map_or(Verdict::NotMet, Verdict::Handled)
}

pub(super) fn found(seen: &Seen, note: impl Into<String>) -> Found {
    Found {
        seen: seen.clone(),
        note: note.into(),
    }
}

/// The task polled to a final state, or why not.
pub(super) fn polled_to_final(task: &TaskStory) -> Result<&crate::coverage::story::Poll, Found> {
    task.final_poll().ok_or_else(|| {
        let last = task
            .polls
            .last()
            .and_then(|poll| poll.state.clone())
            .unwrap_or_else(|| "never polled".into());
        found(
            &task.created,
            format!(
                "task {} was not polled to its final state (last seen: {last})",
                task.id
            ),
        )
    })
}

/// Polled to the final state and then left alone.
pub(super) fn stopped_at_final(task: &TaskStory) -> Result<Found, Found> {
    let last = polled_to_final(task)?;
    if let Some(extra) = task.polls_after_final() {
        return Err(found(
            &extra.seen,
            format!("polled task {} again after it was final", task.id),
        ));
    }
    Ok(found(
        &last.seen,
        format!(
            "task {} seen {} and left alone",
            task.id,
            last.state.as_deref().unwrap_or_default()
        ),
    ))
}

/// Polled to the final state and its transaction read after it.
pub(super) fn read_through(task: &TaskStory) -> Result<Found, Found> {
    let last = polled_to_final(task)?;
    task.read_after_final()
        .map(|read| found(read, format!("transaction of task {} read", task.id)))
        .ok_or_else(|| {
            found(
                &last.seen,
                format!(
                    "task {} was final but its transaction {} was never read",
                    task.id,
                    task.transaction.as_deref().unwrap_or("?")
                ),
            )
        })
}

/// A later sale with the same reference (or, without one, the same amount) on the same
/// terminal, created before `until` (a sequence number): paying again blindly.
pub(super) fn paid_again(
    story: &Story,
    task_seq: u64,
    terminal: &str,
    reference: Option<&str>,
    amount: Option<i64>,
    until: u64,
) -> Option<Seen> {
    story
        .creations()
        .filter(|creation| {
            creation.seen.seq > task_seq
                && creation.seen.seq < until
                && creation.kind == "SALE"
                && creation.terminal == terminal
                && match reference {
                    Some(reference) => creation.reference == Some(reference),
                    None => creation.reference.is_none() && creation.amount == amount,
                }
        })
        .map(|creation| creation.seen.clone())
        .min_by_key(|seen| seen.seq)
}

pub(super) fn sales(story: &Story, outcome: impl Fn(PaymentResult, Refusal) -> bool) -> Verdict {
    each(
        story.tasks.iter().filter(|task| {
            task.kind == "SALE"
                && story
                    .outcome(task)
                    .is_some_and(|(result, refusal)| outcome(result, refusal))
        }),
        read_through,
    )
}

pub(super) fn declines(story: &Story, family: &[Refusal]) -> Verdict {
    each(
        story.tasks.iter().filter(|task| {
            task.kind == "SALE"
                && story.outcome(task).is_some_and(|(result, refusal)| {
                    result == PaymentResult::Declined && family.contains(&refusal)
                })
        }),
        |task| {
            let read = read_through(task);
            let until = read.as_ref().map_or(u64::MAX, |read| read.seen.seq);
            if let Some(again) = paid_again(
                story,
                task.created.seq,
                &task.terminal,
                task.reference.as_deref(),
                task.amount,
                until,
            ) {
                return Err(found(
                    &again,
                    format!(
                        "paid again before reading why task {} was declined (a blind retry)",
                        task.id
                    ),
                ));
            }
            read
        },
    )
}

/// Tasks that ended `state` with one of `codes`; `pin`: whether the message names the PIN.
pub(super) fn task_ends(story: &Story, state: &str, codes: &[u64], pin: Option<bool>) -> Verdict {
    each(
        story.tasks.iter().filter(|task| {
            task.final_poll().is_some_and(|poll| {
                poll.state.as_deref() == Some(state)
                    && poll.error_code.is_some_and(|code| codes.contains(&code))
                    && pin.is_none_or(|pin| {
                        poll.error_message.to_ascii_lowercase().contains("pin") == pin
                    })
            }) && task.kind != "BATCH"
        }),
        stopped_at_final,
    )
}

pub(super) fn busy_terminal(story: &Story) -> Verdict {
    each(
        story.tasks.iter().filter(|task| {
            task.polls.iter().any(|poll| {
                poll.state.as_deref() == Some("NEW")
                    && poll.seen.time.0 - task.created.time.0 >= 1_000
            })
        }),
        |task| {
            let last = polled_to_final(task)?;
            if task.kind == "SALE"
                && let Some(again) = paid_again(
                    story,
                    task.created.seq,
                    &task.terminal,
                    task.reference.as_deref(),
                    task.amount,
                    last.seen.seq,
                )
            {
                return Err(found(
                    &again,
                    format!("paid again while task {} waited in the queue", task.id),
                ));
            }
            Ok(found(
                &last.seen,
                format!("waited for task {} to be final", task.id),
            ))
        },
    )
}

pub(super) fn token_expired(story: &Story) -> Verdict {
    each(
        story.unauthorized.iter().filter_map(|(seen, _)| {
            let id = seen.path.strip_prefix("/v1/tasks/")?;
            let task = story.tasks.iter().find(|task| task.id == id)?;
            (seen.method == "GET" && task.created.seq < seen.seq).then_some((seen, task))
        }),
        |(seen, task)| {
            let next_poll = task
                .polls
                .iter()
                .find(|poll| poll.seen.seq > seen.seq && poll.seen.status != 401);
            let until = next_poll.map_or(u64::MAX, |poll| poll.seen.seq);
            let grants: Vec<_> = story
                .grants
                .iter()
                // A refused refresh followed by a login is one new token, not two.
                .filter(|grant| {
                    grant.seen.seq > seen.seq && grant.seen.seq < until && grant.seen.status == 200
                })
                .collect();
            let Some(poll) = next_poll else {
                return Err(found(
                    seen,
                    format!("after the 401, task {} was never polled again", task.id),
                ));
            };
            match grants.as_slice() {
                [] => Err(found(
                    &poll.seen,
                    "polled again after the 401 without getting a new token",
                )),
                [_] => Ok(found(
                    &poll.seen,
                    format!("one new token, then task {} polled again", task.id),
                )),
                [_, second, ..] => Err(found(
                    &second.seen,
                    format!(
                        "{} token requests after one 401 (one is enough)",
                        grants.len()
                    ),
                )),
            }
        },
    )
}

pub(super) fn refresh_refused(story: &Story) -> Verdict {
    each(
        story
            .grants
            .iter()
            .enumerate()
            .filter(|(_, grant)| grant.grant_type == "refresh_token" && grant.seen.status != 200),
        |(index, grant)| match story.grants.get(index + 1) {
            Some(next) if next.grant_type == "password" => Ok(found(
                &next.seen,
                "logged in afresh after the refused refresh",
            )),
            Some(next) => Err(found(
                &next.seen,
                format!(
                    "answered a refused refresh with another `{}` grant instead of a password login",
                    next.grant_type
                ),
            )),
            None => Ok(found(&grant.seen, "stopped after the refused refresh")),
        },
    )
}

pub(super) fn retry_after(story: &Story) -> Verdict {
    each(
        story.attempts.iter().filter(|attempt| {
            matches!(attempt.seen.status, 429 | 503) && attempt.retry_after.is_some()
        }),
        |attempt| {
            let wait_ms = i64::from(attempt.retry_after.unwrap_or(0)) * 1_000;
            let next = story
                .creations()
                .filter(|creation| {
                    creation.seen.seq > attempt.seen.seq && creation.terminal == attempt.terminal
                })
                .min_by_key(|creation| creation.seen.seq)
                .map(|creation| creation.seen);
            match next {
                Some(seen) if seen.time.0 - attempt.seen.time.0 < wait_ms => Err(found(
                    seen,
                    format!(
                        "created again {} ms after a 503 that said Retry-After: {} s",
                        seen.time.0 - attempt.seen.time.0,
                        attempt.retry_after.unwrap_or(0)
                    ),
                )),
                Some(seen) => Ok(found(seen, "waited for Retry-After before creating again")),
                None => Ok(found(&attempt.seen, "did not hammer the overloaded cloud")),
            }
        },
    )
}

pub(super) fn lost_answers(story: &Story, unreadable: bool) -> Verdict {
    each(
        story.attempts.iter().filter(|attempt| {
            attempt.fault
                && attempt.kind == "SALE"
                && if unreadable {
                    attempt.unreadable
                } else {
                    attempt.seen.status == 0
                }
        }),
        |attempt| {
            let Some(reference) = attempt.reference.as_deref() else {
                return Err(found(
                    &attempt.seen,
                    "the lost sale had no originReferenceNum: nothing to reconcile it by",
                ));
            };
            match paid_again(
                story,
                attempt.seen.seq,
                &attempt.terminal,
                Some(reference),
                attempt.amount,
                u64::MAX,
            ) {
                Some(again) => Err(found(
                    &again,
                    format!(
                        "a second sale with reference `{reference}` after the answer was lost (the first was committed)"
                    ),
                )),
                None => Ok(found(
                    &attempt.seen,
                    format!("no second sale with reference `{reference}`"),
                )),
            }
        },
    )
}

pub(super) fn poll_fault(story: &Story) -> Verdict {
    each(
        story.tasks.iter().filter_map(|task| {
            task.polls
                .iter()
                .find(|poll| poll.fault)
                .map(|poll| (task, poll))
        }),
        |(task, fault)| match task.final_poll() {
            Some(last) if last.seen.seq > fault.seen.seq => Ok(found(
                &last.seen,
                format!("kept polling task {} to its end", task.id),
            )),
            _ => Err(found(
                &fault.seen,
                format!("gave up on task {} after a failed poll", task.id),
            )),
        },
    )
}

pub(super) fn stornos(story: &Story, mode: &str) -> Verdict {
    each(
        story.tasks.iter().filter(|task| {
            task.kind == "CANCEL"
                && task.cancel_mode.as_deref() == Some(mode)
                && story
                    .outcome(task)
                    .is_some_and(|(result, _)| result == PaymentResult::Accepted)
        }),
        read_through,
    )
}

pub(super) fn storno_refused(story: &Story, code: u64) -> Verdict {
    each(
        story.tasks.iter().filter(|task| {
            task.kind == "CANCEL"
                && task
                    .final_poll()
                    .is_some_and(|poll| poll.error_code == Some(code))
        }),
        |task| {
            let stopped = stopped_at_final(task)?;
            let again = story.tasks.iter().find(|other| {
                other.kind == "CANCEL"
                    && other.created.seq > stopped.seen.seq
                    && other.terminal == task.terminal
                    && other.cancel_mode == task.cancel_mode
                    && other.origin == task.origin
            });
            match again {
                Some(other) => Err(found(
                    &other.created,
                    format!("cancelled the same payment again after ERROR {code}"),
                )),
                None => Ok(stopped),
            }
        },
    )
}

pub(super) fn batch_closed(story: &Story) -> Verdict {
    each(
        story
            .tasks
            .iter()
            .filter(|task| task.kind == "BATCH" && task.ended("COMPLETED")),
        |task| {
            task.batch_read_after_final()
                .map(|read| {
                    found(
                        read,
                        format!("batch {} read back", task.batch_number.unwrap_or(0)),
                    )
                })
                .ok_or_else(|| {
                    found(
                        &task.created,
                        format!(
                            "batch {} closed but never read back with GET /v1/batches/{{n}}",
                            task.batch_number.unwrap_or(0)
                        ),
                    )
                })
        },
    )
}

pub(super) fn batch_refused(story: &Story) -> Verdict {
    each(
        story
            .tasks
            .iter()
            .filter(|task| task.kind == "BATCH" && task.ended("ERROR")),
        stopped_at_final,
    )
}

pub(super) fn master_account(story: &Story) -> Verdict {
    each(story.tasks.iter().filter(|task| task.master), |task| {
        polled_to_final(task).map(|last| {
            found(
                &last.seen,
                format!(
                    "task {} of terminal {} followed to its end",
                    task.id, task.terminal
                ),
            )
        })
    })
}

pub(super) fn approved(link: &LinkStory) -> bool {
    link.status == "COMPLETED"
        && link
            .code
            .as_deref()
            .is_none_or(|code| code.starts_with("approved"))
}

pub(super) fn error_is(link: &LinkStory, word: &str) -> bool {
    link.error
        .as_deref()
        .is_some_and(|error| error.contains(word))
}

/// Deep links answered as `matches` says: handled when the answer could reach the caller, the
/// link was read as meant and (`no_resend`) the same link was not sent again right after.
pub(super) fn links(
    story: &Story,
    matches: impl Fn(&LinkStory) -> bool,
    no_resend: bool,
) -> Verdict {
    each(
        story
            .links
            .iter()
            .enumerate()
            .filter(|(_, link)| matches(link)),
        |(index, link)| {
            if !link.redirected {
                return Err(found(
                    &link.seen,
                    format!(
                        "`{}` without redirectUrl: GP tom's answer never reaches your app",
                        link.operation
                    ),
                ));
            }
            if link.notices > 0 {
                return Err(found(
                    &link.seen,
                    format!(
                        "GP tom's app ignored or guessed {} parameter(s) of the link (see verify)",
                        link.notices
                    ),
                ));
            }
            if no_resend
                && let Some(next) = story.links.get(index + 1)
                && next.url == link.url
            {
                return Err(found(
                    &next.seen,
                    "sent the same link again right after its answer (a blind retry)",
                ));
            }
            Ok(found(
                &link.seen,
                format!("`{}` answered to the redirectUrl", link.operation),
            ))
        },
    )
}

pub(super) fn not_logged_in(story: &Story) -> Verdict {
    each(
        story
            .links
            .iter()
            .enumerate()
            .filter(|(_, link)| link.status == "ERROR" && error_is(link, "userNotLoggedIn")),
        |(index, link)| match story.links.get(index + 1) {
            Some(next) if next.operation == "login" || next.operation == "status" => Ok(found(
                &next.seen,
                "logged in (or asked the app's status) next",
            )),
            Some(next) => Err(found(
                &next.seen,
                format!("sent `{}` next instead of logging in", next.operation),
            )),
            None => Ok(found(&link.seen, "did not retry while logged out")),
        },
    )
}
