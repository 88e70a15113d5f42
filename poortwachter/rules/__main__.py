"""``python -m poortwachter.rules < case.json`` prints the timeline as JSON.

Bad input exits with status 2 and one line on stderr naming the problem.
"""

from __future__ import annotations

import json
import sys

from poortwachter.rules import (
    RulesInputError,
    compute_timeline,
    facts_from_json,
    timeline_to_json,
)


def main() -> int:
    try:
        data = json.load(sys.stdin)
    except json.JSONDecodeError as exc:
        print(
            f"error: the input is not valid JSON ({exc.msg}, line {exc.lineno}).",
            file=sys.stderr,
        )
        return 2
    try:
        facts = facts_from_json(data)
        timeline = compute_timeline(facts)
    except RulesInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    json.dump(timeline_to_json(timeline, facts), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
