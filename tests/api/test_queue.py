"""The queue and the stages: label -> review -> adjudication -> done, through the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from labelwright.services.context import Platform
from tests.builders import MadeUser, add_member, import_jsonl, make_project, make_user

SCHEMA = {
    "objects": {"text": {"type": "text"}},
    "controls": [{"name": "label", "type": "choice", "of": "text", "options": ["a", "b", "c"]}],
}


class Team:
    def __init__(
        self, client: TestClient, platform: Platform, workflow: dict[str, Any], tasks: int
    ) -> None:
        self.client = client
        self.manager = make_user(platform, prefix="manager")
        self.project_id = make_project(platform, self.manager, schema=SCHEMA).id
        patched = client.patch(
            f"/api/v1/projects/{self.project_id}",
            json={"workflow": workflow},
            headers=self.manager.headers,
        )
        assert patched.status_code == 200, patched.text
        self.platform = platform
        self.users: dict[str, MadeUser] = {}
        rows = [{"data": {"text": f"task {i}"}, "meta": {"i": i}} for i in range(tasks)]
        if tasks:
            self.first_id = import_jsonl(client, self.manager, self.project_id, rows).json()[
                "first_id"
            ]

    def member(self, name: str, role: str) -> MadeUser:
        user = make_user(self.platform, prefix=name)
        add_member(self.platform, self.manager, self.project_id, user, role)
        self.users[name] = user
        return user

    def next(self, user: MadeUser, stage: str = "label") -> dict[str, Any] | None:
        response = self.client.post(
            f"/api/v1/projects/{self.project_id}/next",
            params={"stage": stage},
            headers=user.headers,
        )
        if response.status_code == 204:
            return None
        assert response.status_code == 200, response.text
        return dict(response.json())

    def submit(self, user: MadeUser, served: dict[str, Any], **body: Any) -> Any:
        return self.client.post(
            f"/api/v1/assignments/{served['assignment']['id']}/submit",
            json=body,
            headers=user.headers,
        )

    def task(self, task_id: int) -> dict[str, Any]:
        return dict(
            self.client.get(f"/api/v1/tasks/{task_id}", headers=self.manager.headers).json()
        )


def test_single_pass_labeling_serves_each_task_once_then_204(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=3)
    ann = team.member("ann", "annotator")
    seen = []
    while (served := team.next(ann)) is not None:
        assert served["assignment"]["stage"] == "label" and served["schema_version"] == 1
        result = team.submit(ann, served, results={"label": "a"}, lead_time_ms=1200)
        assert result.status_code == 200 and result.json()["task_state"] == "done"
        seen.append(served["task"]["id"])
    assert seen == [team.first_id, team.first_id + 1, team.first_id + 2]
    task = team.task(seen[0])
    assert (
        task["state"] == "done" and task["final_path"] == "single" and task["final_annotation_id"]
    )


def test_order_is_priority_then_import_order(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=0)
    rows = [{"data": {"text": "low"}, "priority": 0}, {"data": {"text": "high"}, "priority": 9}]
    import_jsonl(client, team.manager, team.project_id, rows)
    ann = team.member("ann", "annotator")
    first = team.next(ann)
    assert first is not None and first["task"]["data"]["text"] == "high"


def test_roles_decide_stages(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=1)
    ann, rev, exp = (
        team.member("a", "annotator"),
        team.member("r", "reviewer"),
        team.member("e", "expert"),
    )
    outsider = make_user(platform)
    url = f"/api/v1/projects/{team.project_id}/next"
    assert client.post(url, params={"stage": "review"}, headers=ann.headers).status_code == 403
    assert client.post(url, params={"stage": "label"}, headers=rev.headers).status_code == 403
    assert client.post(url, params={"stage": "label"}, headers=exp.headers).status_code == 403
    assert client.post(url, params={"stage": "adjudicate"}, headers=exp.headers).status_code == 204
    assert client.post(url, headers=outsider.headers).status_code == 404
    assert client.post(url, params={"stage": "nope"}, headers=ann.headers).status_code == 422
    for stage in ("label", "review", "adjudicate"):
        assert client.post(
            url, params={"stage": stage}, headers=team.manager.headers
        ).status_code in (200, 204)


def test_next_returns_the_claim_you_already_hold(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=2)
    ann = team.member("ann", "annotator")
    first, again = team.next(ann), team.next(ann)
    assert first and again and first["assignment"]["id"] == again["assignment"]["id"]


def test_skip_is_final_release_is_not(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=1)
    ann, other = team.member("ann", "annotator"), team.member("other", "annotator")
    served = team.next(ann)
    assert served is not None
    assert (
        client.post(
            f"/api/v1/assignments/{served['assignment']['id']}/release", headers=ann.headers
        ).status_code
        == 204
    )
    again = team.next(ann)
    assert again is not None and again["task"]["id"] == served["task"]["id"]
    assert (
        client.post(
            f"/api/v1/assignments/{again['assignment']['id']}/skip", headers=ann.headers
        ).status_code
        == 204
    )
    assert team.next(ann) is None
    assert (
        client.post(
            f"/api/v1/assignments/{again['assignment']['id']}/skip", headers=ann.headers
        ).status_code
        == 409
    )
    taken = team.next(other)
    assert taken is not None and taken["task"]["id"] == served["task"]["id"]


def test_double_submit_is_409_and_nothing_is_duplicated(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 2}, tasks=1)
    ann, other = team.member("ann", "annotator"), team.member("other", "annotator")
    served = team.next(ann)
    assert served is not None
    assert team.submit(ann, served, results={"label": "a"}).status_code == 200
    second = team.submit(ann, served, results={"label": "a"})
    assert second.status_code == 409 and second.json()["type"] == "/problems/conflict"
    assert team.submit(other, served, results={"label": "a"}).status_code == 404
    bad = team.next(other)
    assert bad is not None
    assert team.submit(other, bad, results={"label": "zzz"}).status_code == 422
    annotations = client.get(
        f"/api/v1/tasks/{served['task']['id']}/annotations", headers=team.manager.headers
    ).json()
    assert len(annotations) == 1
    assert team.submit(other, bad, results={"label": "a"}).status_code == 200


@pytest.fixture
def clock(platform: Platform) -> Iterator[list[datetime]]:
    now = [datetime.now(UTC)]
    original = platform.clock
    platform.clock = lambda: now[0]
    yield now
    platform.clock = original


def test_expired_lease_returns_task_to_pool(
    client: TestClient, platform: Platform, clock: list[datetime]
) -> None:
    team = Team(client, platform, {"overlap": 1, "lease_minutes": 10}, tasks=1)
    ann, other = team.member("ann", "annotator"), team.member("other", "annotator")
    served = team.next(ann)
    assert served is not None
    assert team.next(other) is None
    clock[0] += timedelta(minutes=11)
    taken = team.next(other)
    assert taken is not None and taken["task"]["id"] == served["task"]["id"]
    late = team.submit(ann, served, results={"label": "a"})
    assert late.status_code == 409 and late.json()["type"] == "/problems/lease-expired"
    assert team.submit(other, taken, results={"label": "b"}).status_code == 200
    assert team.task(served["task"]["id"])["state"] == "done"


def test_overlap_agreement_finishes_with_path_agreement(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 2}, tasks=1)
    a1, a2, a3 = (team.member(n, "annotator") for n in ("a1", "a2", "a3"))
    s1, s2 = team.next(a1), team.next(a2)
    assert s1 and s2 and s1["task"]["id"] == s2["task"]["id"]
    assert team.next(a3) is None  # overlap 2 is fully claimed
    assert team.submit(a1, s1, results={"label": "b"}).json()["task_state"] == "labeling"
    assert team.submit(a2, s2, results={"label": "b"}).json()["task_state"] == "done"
    assert team.task(s1["task"]["id"])["final_path"] == "agreement"


def test_disagreement_adds_annotators_then_goes_to_adjudication(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 2, "max_overlap": 3}, tasks=1)
    labels = {"a1": "a", "a2": "b", "a3": "c"}
    users = {n: team.member(n, "annotator") for n in labels}
    states = []
    for name, label in labels.items():
        served = team.next(users[name])
        assert served is not None, name
        states.append(
            team.submit(users[name], served, results={"label": label}).json()["task_state"]
        )
    assert states == ["labeling", "labeling", "adjudication"]
    expert = team.member("exp", "expert")
    assert team.next(users["a1"]) is None
    served = team.next(expert, "adjudicate")
    assert served is not None and len(served["under_review"]) == 3
    chosen = served["under_review"][1]["id"]
    done = team.submit(expert, served, choose_annotation_id=chosen)
    assert done.json()["task_state"] == "done"
    task = team.task(served["task"]["id"])
    assert task["final_annotation_id"] == chosen and task["final_path"] == "adjudication:choose"


def test_review_accept_reject_and_fix(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1, "review": {"sample": 1.0}}, tasks=3)
    ann, rev, fresh = (
        team.member("ann", "annotator"),
        team.member("rev", "reviewer"),
        team.member("new", "annotator"),
    )
    for _ in range(3):
        served = team.next(ann)
        assert served is not None
        assert team.submit(ann, served, results={"label": "a"}).json()["task_state"] == "review"
    accept = team.next(rev, "review")
    assert accept is not None and accept["under_review"][0]["results"] == {"label": "a"}
    assert (
        team.submit(rev, accept, verdict="accept", severity="minor").json()["task_state"] == "done"
    )
    assert team.task(accept["task"]["id"])["final_path"] == "review:accept"

    reject = team.next(rev, "review")
    assert reject is not None
    response = team.submit(
        rev,
        reject,
        verdict="reject",
        comment="Read the guidelines on 'a'",
        severity="major",
        category="wrong label",
    )
    assert response.json()["task_state"] == "labeling"
    assert team.next(ann) is None  # the original annotator does not get it back
    relabel = team.next(fresh)
    assert relabel is not None and relabel["task"]["id"] == reject["task"]["id"]
    assert relabel["reviews"][0]["comment"] == "Read the guidelines on 'a'"
    assert relabel["reviews"][0]["severity"] == "major"

    fix = team.next(rev, "review")
    assert fix is not None
    assert team.submit(rev, fix, verdict="fix").status_code == 422  # a fix needs results
    fixed = team.submit(rev, fix, verdict="fix", results={"label": "c"}, severity="critical")
    assert fixed.json()["task_state"] == "done"
    new = fixed.json()["annotation"]
    assert new["parent_id"] == fix["under_review"][0]["id"] and new["stage"] == "review"
    task = team.task(fix["task"]["id"])
    assert task["final_annotation_id"] == new["id"] and task["final_path"] == "review:fix"
    assert team.submit(rev, fix, verdict="accept").status_code == 409


def test_reviewer_never_reviews_own_work(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1, "review": {"sample": 1.0}}, tasks=1)
    served = team.next(team.manager)
    assert served is not None
    team.submit(team.manager, served, results={"label": "a"})
    assert team.next(team.manager, "review") is None


def test_escalation_goes_to_experts_with_reason_and_draft(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=1)
    ann, exp = team.member("ann", "annotator"), team.member("exp", "expert")
    served = team.next(ann)
    assert served is not None
    url = f"/api/v1/assignments/{served['assignment']['id']}/escalate"
    assert client.post(url, json={"reason": ""}, headers=ann.headers).status_code == 422
    assert (
        client.post(
            url, json={"reason": "Sarcasm?", "draft": {"label": "b"}}, headers=ann.headers
        ).status_code
        == 204
    )
    assert team.task(served["task"]["id"])["state"] == "adjudication"
    case = team.next(exp, "adjudicate")
    assert case is not None and case["escalations"][0]["reason"] == "Sarcasm?"
    assert case["escalations"][0]["draft"] == {"label": "b"}
    written = team.submit(exp, case, results={"label": "c"})
    assert written.json()["task_state"] == "done"
    assert team.task(served["task"]["id"])["final_path"] == "adjudication:write"


def test_routing_rule_sends_low_confidence_to_experts(
    client: TestClient, platform: Platform
) -> None:
    team = Team(
        client,
        platform,
        {"overlap": 1, "routing": [{"when": "prediction.score < 0.6", "to": "expert"}]},
        tasks=0,
    )
    rows = [
        {"data": {"text": "unsure"}, "predictions": [{"score": 0.3, "results": {"label": "a"}}]},
        {"data": {"text": "sure"}, "predictions": [{"score": 0.9, "results": {"label": "a"}}]},
    ]
    first = import_jsonl(client, team.manager, team.project_id, rows).json()["first_id"]
    assert team.task(first)["state"] == "adjudication"
    assert team.task(first)["stage_reason"].startswith("routed")
    ann, exp = team.member("ann", "annotator"), team.member("exp", "expert")
    labeled = team.next(ann)
    assert labeled is not None and labeled["task"]["data"]["text"] == "sure"
    assert labeled["predictions"][0]["score"] == 0.9
    routed = team.next(exp, "adjudicate")
    assert routed is not None and routed["task"]["id"] == first


def test_gold_tasks_are_scored_never_counted(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1, "gold": {"rate": 0.5}}, tasks=40)
    gold_ids = list(range(team.first_id, team.first_id + 5))
    items = [{"task_id": t, "results": {"label": "a"}} for t in gold_ids]
    marked = client.post(
        f"/api/v1/projects/{team.project_id}/gold",
        json={"items": items},
        headers=team.manager.headers,
    )
    assert marked.status_code == 200 and marked.json() == {"marked": 5}
    bad = client.post(
        f"/api/v1/projects/{team.project_id}/gold",
        json={"items": [{"task_id": team.first_id, "results": {"label": "z"}}]},
        headers=team.manager.headers,
    )
    assert bad.status_code == 422
    ann = team.member("ann", "annotator")
    served_gold = 0
    while (served := team.next(ann)) is not None:
        is_gold = served["task"]["id"] in gold_ids
        served_gold += is_gold
        team.submit(ann, served, results={"label": "a" if served["task"]["id"] % 2 else "b"})
    assert served_gold == 5
    for task_id in gold_ids:
        assert team.task(task_id)["state"] == "gold"
    report = client.get(
        f"/api/v1/projects/{team.project_id}/gold/accuracy", headers=team.manager.headers
    ).json()
    mine = next(r for r in report if r["user_id"] == ann.actor.id)
    expected = sum(1 for t in gold_ids if t % 2) / 5
    assert mine["answered"] == 5 and mine["accuracy"] == pytest.approx(expected)
    assert mine["weekly"][0]["answered"] == 5
    assert (
        client.get(
            f"/api/v1/projects/{team.project_id}/gold/accuracy", headers=ann.headers
        ).status_code
        == 403
    )


def test_gold_rate_is_honoured_statistically(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1, "gold": {"rate": 0.2}}, tasks=400)
    items = [
        {"task_id": t, "results": {"label": "a"}} for t in range(team.first_id, team.first_id + 200)
    ]
    client.post(
        f"/api/v1/projects/{team.project_id}/gold",
        json={"items": items},
        headers=team.manager.headers,
    )
    ann = team.member("ann", "annotator")
    gold = 0
    for _ in range(150):
        served = team.next(ann)
        assert served is not None
        gold += served["task"]["id"] < team.first_id + 200
        team.submit(ann, served, results={"label": "a"})
    # Binomial(150, 0.2): mean 30, sd 4.9; these bounds are beyond 3.5 sd.
    assert 13 <= gold <= 47


def test_guideline_change_is_flagged_until_acknowledged(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=3)
    ann = team.member("ann", "annotator")
    served = team.next(ann)
    assert served is not None and served["guidelines_changed"] is False
    client.put(
        f"/api/v1/projects/{team.project_id}/guidelines",
        json={"text": "# v2", "changelog": "Sarcasm counts as negative"},
        headers=team.manager.headers,
    )
    team.submit(ann, served, results={"label": "a"})
    flagged = team.next(ann)
    assert flagged is not None and flagged["guidelines_changed"] is True
    assert flagged["guideline_changes"] == ["v2: Sarcasm counts as negative"]
    ack = client.post(f"/api/v1/projects/{team.project_id}/guidelines/ack", headers=ann.headers)
    assert ack.json() == {"version": 2}
    result = team.submit(ann, flagged, results={"label": "a"})
    assert result.json()["annotation"]["guideline_version"] == 2
    calm = team.next(ann)
    assert calm is not None and calm["guidelines_changed"] is False


def test_max_tasks_per_user(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1, "max_tasks_per_user": 2}, tasks=5)
    ann = team.member("ann", "annotator")
    for _ in range(2):
        served = team.next(ann)
        assert served is not None
        team.submit(ann, served, results={"label": "a"})
    assert team.next(ann) is None


def test_comments_are_visible_to_people_on_the_task(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=2)
    ann, stranger = team.member("ann", "annotator"), team.member("stranger", "annotator")
    served = team.next(ann)
    assert served is not None
    url = f"/api/v1/tasks/{served['task']['id']}/comments"
    posted = client.post(url, json={"body": "Is this sarcasm?"}, headers=ann.headers)
    assert posted.status_code == 201
    reply = client.post(
        url, json={"body": "Yes.", "parent_id": posted.json()["id"]}, headers=team.manager.headers
    )
    assert reply.status_code == 201
    assert [c["body"] for c in client.get(url, headers=ann.headers).json()] == [
        "Is this sarcasm?",
        "Yes.",
    ]
    assert client.get(url, headers=stranger.headers).status_code == 404
    assert client.post(url, json={"body": "  "}, headers=ann.headers).status_code == 422


def test_progress_counts(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1, "review": {"sample": 1.0}}, tasks=4)
    ann = team.member("ann", "annotator")
    for _ in range(2):
        served = team.next(ann)
        assert served is not None
        team.submit(ann, served, results={"label": "a"}, lead_time_ms=1000)
    progress = client.get(
        f"/api/v1/projects/{team.project_id}/progress", headers=team.manager.headers
    ).json()
    assert progress["tasks_by_state"] == {"new": 2, "review": 2}
    assert progress["queue_depth"] == {"label": 2, "review": 2, "adjudicate": 0}
    assert progress["annotators"] == [
        {"user_id": ann.actor.id, "email": ann.actor.email, "annotations": 2}
    ]
    assert sum(h["annotations"] for h in progress["throughput_per_hour"]) == 2
    assert progress["median_lead_time_ms"] == 1000
    assert (
        client.get(f"/api/v1/projects/{team.project_id}/progress", headers=ann.headers).status_code
        == 403
    )


def test_prefetch_claims_a_second_task_and_no_more(client: TestClient, platform: Platform) -> None:
    team = Team(client, platform, {"overlap": 1}, tasks=4)
    ann = team.member("ann", "annotator")
    url = f"/api/v1/projects/{team.project_id}/next"
    first = team.next(ann)
    ahead = client.post(url, params={"prefetch": "true"}, headers=ann.headers).json()
    again = client.post(url, params={"prefetch": "true"}, headers=ann.headers).json()
    assert first is not None and ahead["task"]["id"] != first["task"]["id"]
    assert again["assignment"]["id"] == ahead["assignment"]["id"]
    assert team.next(ann)["assignment"]["id"] == first["assignment"]["id"]  # type: ignore[index]
    team.submit(ann, first, results={"label": "a"})
    assert team.next(ann)["assignment"]["id"] == ahead["assignment"]["id"]  # type: ignore[index]


def test_deleting_the_annotation_under_review_takes_the_task_out_of_review(
    client: TestClient, platform: Platform
) -> None:
    team = Team(client, platform, {"overlap": 1, "review": {"sample": 1.0}}, tasks=1)
    ann, rev = team.member("ann", "annotator"), team.member("rev", "reviewer")
    served = team.next(ann)
    assert served is not None
    made = team.submit(ann, served, results={"label": "a"}).json()["annotation"]
    task_id = served["task"]["id"]
    assert team.task(task_id)["state"] == "review"
    gone = client.delete(f"/api/v1/annotations/{made['id']}", headers=team.manager.headers)
    assert gone.status_code in (200, 204), gone.text
    task = team.task(task_id)
    assert task["state"] == "new" and task["final_annotation_id"] is None
    assert team.next(rev, "review") is None  # nothing left to review
    assert team.next(ann) is None  # a task is never served to the same annotator twice
    again = team.next(team.member("ann2", "annotator"))
    assert again is not None and again["task"]["id"] == task_id  # it needs a label again
