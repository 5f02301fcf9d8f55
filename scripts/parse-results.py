#!/usr/bin/env python3
"""Summarise a "make check" guest run: KUnit KTAP from the kernel log and the
kselftests' TAP from the guest output, against tests/known-failures.

usage: parse-results.py GUEST_OUTPUT CONSOLE_LOG KNOWN_FAILURES [EXTRA_FAILURES...]

Prints one line per test program, the failed cases, and as the last line
"N passed, N failed". Exits 1 if anything failed.
"""
import re
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\]\s?')
TAP = re.compile(r'^(not ok|ok)\s+\d+\s*-?\s*(.*?)\s*(#\s*(SKIP|XFAIL|TODO)\b.*)?$')
# uffd-unit-tests does not speak TAP: "Testing <case>... done", "... skipped
# [reason: ...]", "... failed [reason: ...]", or the program's error message
# when it exits in the middle of a case.
UFFD = re.compile(r'^Testing (.+?)\.\.\. ?(.*)$')


def load_known(path):
    known = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                label, _, rest = line.partition(' ')
                pattern, _, reason = rest.strip().partition(' -- ')
                known.append((label, pattern.strip(), reason.strip()))
    except FileNotFoundError:
        pass
    return known


def is_known(known, label, case):
    for k_label, pattern, reason in known:
        if k_label == label and (pattern == '*' or pattern == case):
            return reason
    return None


class Program:
    def __init__(self, label):
        self.label = label
        self.passed = self.failed = self.skipped = self.known = 0
        self.failures = []
        self.known_hits = []
        self.status = None
        self.said_skip = False

    def case(self, result, name, directive, known):
        if directive in ('SKIP',):
            self.skipped += 1
        elif result == 'ok' or directive in ('XFAIL', 'TODO'):
            self.passed += 1
        else:
            reason = is_known(known, self.label, name)
            if reason is not None:
                self.known += 1
                self.known_hits.append(f'{self.label}: {name} ({reason})')
            else:
                self.failed += 1
                self.failures.append(f'{self.label}: {name}')


def parse_kunit(console, known):
    """Test cases of every KUnit suite in the kernel log (KTAP depth 1)."""
    progs = []
    suite = None
    for raw in console:
        if not TS.match(raw):
            continue
        line = TS.sub('', raw.rstrip('\r\n'))
        m = re.match(r'^\s+# Subtest: (\S+)', line)
        if m and suite is None:
            suite = Program('kunit:' + m.group(1))
            continue
        if suite is None:
            continue
        indent = len(line) - len(line.lstrip(' '))
        m = TAP.match(line.strip())
        if not m:
            continue
        if indent == 0:
            # The suite's own result line: the suite is complete.
            if suite.passed + suite.failed + suite.skipped + suite.known == 0:
                suite.case(m.group(1), suite.label, m.group(4), known)
            progs.append(suite)
            suite = None
        elif indent == 4:
            suite.case(m.group(1), m.group(2), m.group(4), known)
    if suite is not None:
        suite.failed += 1
        suite.failures.append(f'{suite.label}: suite did not finish')
        progs.append(suite)
    return progs


def parse_guest(lines, known):
    progs = []
    cur = None
    for raw in lines:
        line = raw.rstrip('\r\n')
        if line.startswith('@@BEGIN '):
            cur = Program(line.split()[1])
            continue
        if cur is None:
            continue
        if line.startswith('@@END '):
            cur.status = int(line.split()[2])
            total = cur.passed + cur.failed + cur.skipped + cur.known
            if total == 0:
                # No TAP: the exit status is the result. 4 is kselftest's
                # skip, but only for a program that says it skipped: some
                # (khugepaged) exit with their number of failures.
                if cur.status == 0:
                    cur.passed += 1
                elif cur.status == 4 and cur.said_skip:
                    cur.skipped += 1
                else:
                    cur.case('not ok', f'exit status {cur.status}', None, known)
            elif cur.status not in (0, 4) and cur.failed + cur.known == 0:
                cur.case('not ok', f'exit status {cur.status}', None, known)
            progs.append(cur)
            cur = None
            continue
        if re.search(r'\bSKIP', line, re.IGNORECASE):
            cur.said_skip = True
        m = TAP.match(line)
        if m:
            cur.case(m.group(1), m.group(2), m.group(4), known)
            continue
        m = UFFD.match(line)
        if m:
            name, rest = m.group(1), m.group(2).strip()
            if rest == 'done':
                cur.case('ok', name, None, known)
            elif rest.startswith('skipped'):
                cur.case('ok', name, 'SKIP', known)
            else:
                cur.case('not ok', f'{name}: {rest or "no result"}', None, known)
    if cur is not None:
        cur.failed += 1
        cur.failures.append(f'{cur.label}: did not finish (timeout or crash)')
        progs.append(cur)
    return progs


def main():
    guest, console, known_path = sys.argv[1:4]
    extra = sys.argv[4:]
    known = load_known(known_path)
    with open(console, errors='replace') as f:
        progs = parse_kunit(f.readlines(), known)
    with open(guest, errors='replace') as f:
        progs += parse_guest(f.readlines(), known)

    passed = sum(p.passed for p in progs)
    failed = sum(p.failed for p in progs) + len(extra)
    skipped = sum(p.skipped for p in progs)
    kfail = sum(p.known for p in progs)
    for p in progs:
        note = f', {p.known} known' if p.known else ''
        print(f'  {p.label:32} {p.passed:4} passed {p.failed:3} failed '
              f'{p.skipped:3} skipped{note}')
    for p in progs:
        for f in p.failures:
            print(f'FAILED: {f}')
    for e in extra:
        print(f'FAILED: {e}')
    hits = [h for p in progs for h in p.known_hits]
    if hits:
        print(f'known failures (listed in {known_path}, also fail on the base kernel):')
        for h in hits:
            print(f'  {h}')
    print(f'skipped: {skipped}, known failures: {kfail} (see {known_path})')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
