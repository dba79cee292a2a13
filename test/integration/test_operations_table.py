"""The README's table of operations tells the truth: it lists every operation of the service
model exactly once, every operation it marks as working reaches a handler (whatever it answers, it
is not the 501 of an unimplemented operation), and every operation it marks as not yet built
answers that clear 501.

Each operation is called over raw HTTP at its model route, with made-up labels that name nothing
(so nothing is created) and an empty JSON body."""

import json
import re
import unittest

from harness import REPO_ROOT, LambdaliteTestCase, raw_request

MODEL = REPO_ROOT / "model" / "lambda-2015-03-31.json"
README = REPO_ROOT / "README.md"
ROW = re.compile(r"^\|\s*`([A-Za-z]+)`\s*\|[^|]*\|\s*([^|]+?)\s*\|\s*$")


def readme_states() -> dict[str, list[str]]:
    states: dict[str, list[str]] = {}
    in_table = False
    for line in README.read_text().splitlines():
        if line.startswith("## "):
            in_table = line.strip() == "## Operations"
            continue
        m = ROW.match(line) if in_table else None
        if m:
            states.setdefault(m.group(1), []).append(m.group(2))
    return states


def request_for(op: dict) -> tuple[str, str]:
    uri = op["http"]["requestUri"]
    # Labels get values that name no resource; greedy labels ({Name+}) too.
    uri = re.sub(r"\{[A-Za-z]+\+?\}", "opstable-none", uri)
    return op["http"]["method"], uri


class OperationsTableTest(LambdaliteTestCase):
    def test_every_model_operation_is_listed_once(self):
        ops = json.loads(MODEL.read_text())["operations"]
        states = readme_states()
        self.assertTrue(states, "README.md has no '## Operations' table")
        missing = sorted(set(ops) - set(states))
        unknown = sorted(set(states) - set(ops))
        twice = sorted(name for name, rows in states.items() if len(rows) > 1)
        self.assertEqual((missing, unknown, twice), ([], [], []))

    def test_states_match_what_the_server_answers(self):
        ops = json.loads(MODEL.read_text())["operations"]
        states = readme_states()
        for name, op in sorted(ops.items()):
            if name not in states:
                continue
            state = states[name][0]
            method, path = request_for(op)
            body = "{}" if method in ("POST", "PUT", "PATCH") else None
            with self.subTest(operation=name, state=state):
                resp = raw_request(self.endpoint, method, path, body,
                                   headers={"Content-Type": "application/json"})
                error_type = resp.header("x-amzn-ErrorType") or ""
                if state.lower().startswith("not yet"):
                    self.assertEqual((resp.status, error_type.split(":")[0]),
                                     (501, "NotImplementedException"), resp.body[:300])
                else:
                    self.assertNotEqual(error_type.split(":")[0], "NotImplementedException",
                                        f"{name} is marked '{state}' but answers {resp.status} "
                                        f"{resp.body[:300]!r}")


if __name__ == "__main__":
    unittest.main()
