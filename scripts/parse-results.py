#!/usr/bin/env python3
"""Summarise a "make check" run: what each guest boot printed (the kselftests,
framed by tests/guest/run-tests.sh) and its kernel log (the KUnit suites),
against what should have run.

usage: parse-results.py [--known FILE] [--kunit FILE] [--dotconfig .config]
                        [--config-mismatches FILE] [--extra MESSAGE]... --boot NAME LIST GUEST CONSOLE STATUS [--boot ...]

Each boot: NAME (e.g. "main", "smp3"), LIST (the tests/selftests*.list it ran),
GUEST (its output), CONSOLE (its kernel log), STATUS (scripts/vm's exit status;
"vm:" lines of scripts/vm's stderr may follow after a colon, as STATUS:FILE).

Fails (exit 1) when:
  - a program of a boot's list, or a KUnit suite of --kunit, did not run, or
    ran twice, or a program not in the list ran;
  - a case failed and tests/known-failures does not list it;
  - a TAP plan (or uffd-unit-tests' total) does not match the results;
  - a program's exit status is not explained by its results: a signal or
    a kill (>= 128) always fails; a non-zero status needs a recorded failure,
    4 (skip) needs a skip;
  - a program began before the last one ended, or a boot ended without
    run-tests.sh's end marker, or scripts/vm reported the boot failed
    (timeout, splat, crash);
  - a program of a "#! no-skip:" line of the list skipped as a whole;
  - a config line did not take (--config-mismatches), or the option of a
    --kunit suite is not =y in --dotconfig;
  - an --extra message was given.
XFAIL and TODO are counted apart, not as passes. The last line is
"N passed, N failed".
"""
import argparse
import re
import sys

TS = re.compile(r'^\[\s*\d+\.\d+\]\s?')
TAP = re.compile(r'^(not ok|ok)\s+(\d+)\s*-?\s*(.*?)\s*(#\s*(SKIP|XFAIL|TODO)\b.*)?$')
PLAN = re.compile(r'^1\.\.(\d+)\b(.*)$')
# uffd-unit-tests does not speak TAP: "Testing <case>... done", "... skipped
# [reason: ...]", "... failed [reason: ...]", or the program's error message
# when it exits in the middle of a case; it ends with its own totals.
UFFD = re.compile(r'^Testing (.+?)\.\.\. ?(.*)$')
UFFD_TOTAL = re.compile(r'^Userfaults unit tests: pass=\d+, skip=\d+, fail=\d+ \(total=(\d+)\)')
# khugepaged does not either: "<what>... OK|Fail|Skip" (coloured), and its
# exit status is its number of failures (256 of them wrap to 0).
ANSI = re.compile(r'\x1b\[[0-9;]*m')
KHUGEPAGED = re.compile(r'^([^#].*?)\.{3,4} ?(OK|Fail\b.*|Skip)$')
BEGIN, END, DONE = '@@BEGIN ', '@@END ', '@@DONE '


def data_lines(path):
    """The lines of a list file that are neither blank nor comments."""
    if not path:
        return []
    with open(path) as f:
        return [line.strip() for line in f
                if line.strip() and not line.startswith('#')]


def load_known(path):
    """(label, case or *, reason) of tests/known-failures."""
    known = []
    for line in data_lines(path):
        label, _, rest = line.partition(' ')
        pattern, _, reason = rest.strip().partition(' -- ')
        known.append((label, pattern.strip(), reason.strip()))
    return known


def load_list(path):
    """Labels of a tests/selftests*.list, in order, and its no-skip labels."""
    no_skip = set()
    with open(path) as f:
        for line in f:
            if line.startswith('#! no-skip:'):
                no_skip.update(line.split(':', 1)[1].split())
    return [line.split()[0] for line in data_lines(path)], no_skip


def load_kunit(path):
    """(suite, config option) of tests/kunit.list."""
    return [(f[0], f[1] if len(f) > 1 else None)
            for f in (line.split() for line in data_lines(path))]


class Program:
    def __init__(self, label, known, known_label=None):
        self.label = label
        self.known_label = known_label or label
        self.known_list = known
        self.passed = self.failed = self.skipped = self.known = self.xfail = 0
        self.failures = []
        self.known_hits = []
        self.status = None
        self.said_skip = False
        self.plan = None
        self.results = 0

    def total(self):
        return self.passed + self.failed + self.skipped + self.known + self.xfail

    def fail(self, why):
        self.failed += 1
        self.failures.append(f'{self.label}: {why}')

    def case(self, result, name, directive=None):
        self.results += 1
        if directive == 'SKIP':
            self.skipped += 1
        elif directive in ('XFAIL', 'TODO'):
            self.xfail += 1
        elif result == 'ok':
            self.passed += 1
        else:
            for k_label, pattern, reason in self.known_list:
                if k_label == self.known_label and pattern in ('*', name):
                    self.known += 1
                    self.known_hits.append(f'{self.label}: {name} ({reason})')
                    return
            self.fail(name)


def parse_kunit(lines, boot, known):
    """The KUnit suites of one kernel log (KTAP: suites at depth 0, cases at 1)."""
    progs = []
    suite = None
    top_plan = None
    suffix = '' if boot == 'main' else f'@{boot}'
    for raw in lines:
        if not TS.match(raw):
            continue
        line = TS.sub('', raw.rstrip('\r\n'))
        indent = len(line) - len(line.lstrip(' '))
        body = line.strip()
        m = re.match(r'^# Subtest: (\S+)', body)
        if m and indent == 4 and suite is None:
            label = 'kunit:' + m.group(1)
            suite = Program(label + suffix, known, label)
            continue
        m = PLAN.match(body)
        if m:
            if indent == 0 and suite is None and top_plan is None:
                top_plan = int(m.group(1))
            elif indent == 4 and suite is not None and suite.plan is None:
                suite.plan = int(m.group(1))
            continue
        if suite is None:
            continue
        m = TAP.match(body)
        if not m:
            continue
        if indent == 0:
            # The suite's own result line: the suite is complete.
            if suite.plan is not None and suite.plan != suite.results:
                suite.fail(f'plan 1..{suite.plan} but {suite.results} results')
            if suite.total() == 0:
                suite.case(m.group(1), suite.label, m.group(5))
            elif m.group(1) != 'ok' and suite.failed + suite.known == 0:
                suite.fail('suite failed without a failed case')
            progs.append(suite)
            suite = None
        elif indent == 4:
            suite.case(m.group(1), m.group(3), m.group(5))
    if suite is not None:
        suite.fail('suite did not finish')
        progs.append(suite)
    return progs, top_plan


def finish(cur):
    """Judge a program at its @@END: plan and exit status."""
    st = cur.status
    if cur.plan is not None and cur.plan != cur.results and not (cur.plan == 0 and cur.results == 0):
        cur.fail(f'plan 1..{cur.plan} but {cur.results} results')
    if cur.total() == 0:
        # No results: the exit status is the result. 4 is kselftest's skip,
        # but only for a program that says it skipped.
        if st == 0:
            cur.passed += 1
        elif st == 4 and cur.said_skip:
            cur.skipped += 1
        else:
            cur.case('not ok', f'exit status {st}')
    elif st >= 128:
        cur.fail(f'exit status {st} (killed by signal {st - 128}: crash or time limit)')
    elif st == 4:
        if cur.skipped == 0 and not cur.said_skip:
            cur.fail('exit status 4 (skip) without a skipped case')
    elif st != 0 and cur.failed + cur.known == 0:
        cur.fail(f'exit status {st} without a failed case')


def parse_guest(lines, boot, known):
    """The programs one boot ran; and whether run-tests.sh reached its end."""
    progs = []
    cur = None
    done = False
    for raw in lines:
        line = raw.rstrip('\r\n')
        if line.startswith(BEGIN):
            if cur is not None:
                cur.fail('did not finish (the next program began)')
                progs.append(cur)
            cur = Program(line.split()[1], known)
            continue
        if line.startswith(DONE):
            done = True
            continue
        if cur is None:
            continue
        if line.startswith(END):
            parts = line.split()
            try:
                cur.status = int(parts[2])
            except (IndexError, ValueError):
                cur.status = 255
            if len(parts) < 2 or parts[1] != cur.label:
                cur.fail(f'end marker of another program ({line})')
            finish(cur)
            progs.append(cur)
            cur = None
            continue
        if re.search(r'\bSKIP', line, re.IGNORECASE):
            cur.said_skip = True
        m = PLAN.match(line)
        if m:
            if cur.plan is None:
                cur.plan = int(m.group(1))
            else:
                cur.fail(f'second TAP plan ({line})')
            continue
        m = TAP.match(line)
        if m:
            cur.case(m.group(1), m.group(3), m.group(5))
            continue
        m = UFFD_TOTAL.match(line)
        if m:
            cur.plan = int(m.group(1))
            continue
        m = UFFD.match(line)
        if m:
            name, rest = m.group(1), m.group(2).strip()
            # A case may print a detail before its verdict:
            # "Testing unregister-wake on anon... (unregister 412 us) done".
            if rest == 'done' or rest.endswith(' done'):
                cur.case('ok', name)
            elif rest.startswith('skipped'):
                cur.case('ok', name, 'SKIP')
            else:
                cur.case('not ok', f'{name}: {rest or "no result"}')
            continue
        m = KHUGEPAGED.match(ANSI.sub('', line).strip())
        if m:
            name, res = m.group(1).strip(), m.group(2)
            cur.case('not ok' if res.startswith('Fail') else 'ok', name,
                     'SKIP' if res == 'Skip' else None)
    if cur is not None:
        cur.fail('did not finish (timeout or crash)')
        progs.append(cur)
    return progs, done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--known')
    ap.add_argument('--kunit')
    ap.add_argument('--config-mismatches')
    ap.add_argument('--dotconfig')
    ap.add_argument('--extra', action='append', default=[])
    ap.add_argument('--boot', nargs=5, action='append', required=True,
                    metavar=('NAME', 'LIST', 'GUEST', 'CONSOLE', 'STATUS'))
    args = ap.parse_args()

    known = load_known(args.known)
    suites = load_kunit(args.kunit)
    progs = []
    extra = list(args.extra)
    if args.config_mismatches:
        try:
            with open(args.config_mismatches) as f:
                extra += [line.strip() for line in f if line.strip()]
        except FileNotFoundError:
            extra.append(f'config: {args.config_mismatches} missing (kernel not configured?)')

    if args.dotconfig:
        try:
            with open(args.dotconfig) as f:
                dot = set(line.strip() for line in f)
        except FileNotFoundError:
            dot = set()
        for suite, opt in suites:
            if opt and f'{opt}=y' not in dot:
                extra.append(f'config: {opt} (KUnit suite {suite}) is not built in')

    for name, list_path, guest, console, status in args.boot:
        labels, no_skip = load_list(list_path)
        try:
            with open(console, errors='replace') as f:
                kprogs, kplan = parse_kunit(f.readlines(), name, known)
        except FileNotFoundError:
            kprogs, kplan = [], None
        try:
            with open(guest, errors='replace') as f:
                gprogs, done = parse_guest(f.readlines(), name, known)
        except FileNotFoundError:
            gprogs, done = [], False

        seen = {}
        for p in kprogs:
            seen[p.known_label] = seen.get(p.known_label, 0) + 1
        if kplan is not None and kplan != len(kprogs):
            extra.append(f'boot {name}: KUnit plan 1..{kplan} but {len(kprogs)} suites')
        for s, _ in suites:
            if seen.get('kunit:' + s, 0) == 0:
                extra.append(f'boot {name}: KUnit suite {s} did not run')
            elif seen['kunit:' + s] > 1:
                extra.append(f'boot {name}: KUnit suite {s} ran {seen["kunit:" + s]} times')
        ran = {}
        for p in gprogs:
            ran[p.label] = ran.get(p.label, 0) + 1
            if p.label in no_skip and p.skipped and p.total() == p.skipped:
                p.fail('skipped as a whole, but it must run (#! no-skip)')
        for label in labels:
            if label not in ran:
                extra.append(f'boot {name}: {label} did not run')
        for label, n in ran.items():
            if label not in labels:
                extra.append(f'boot {name}: {label} ran but is not in {list_path}')
            elif n > 1:
                extra.append(f'boot {name}: {label} ran {n} times')
        if not done:
            extra.append(f'boot {name}: the guest output has no end marker '
                         '(run-tests.sh did not finish)')
        st, _, err = status.partition(':')
        if st != '0':
            why = ''
            if err:
                try:
                    with open(err, errors='replace') as f:
                        vm = [line.strip() for line in f if line.startswith('vm: ')]
                    why = '; '.join(vm[:2])
                except FileNotFoundError:
                    pass
            extra.append(f'boot {name}: scripts/vm exit status {st}'
                         f'{": " + why if why else " (time limit, splat or crash)"}')
        progs += kprogs + gprogs

    passed = sum(p.passed for p in progs)
    failed = sum(p.failed for p in progs) + len(extra)
    skipped = sum(p.skipped for p in progs)
    xfail = sum(p.xfail for p in progs)
    kfail = sum(p.known for p in progs)
    for p in progs:
        note = f', {p.known} known' if p.known else ''
        note += f', {p.xfail} xfail' if p.xfail else ''
        print(f'  {p.label:32} {p.passed:4} passed {p.failed:3} failed '
              f'{p.skipped:3} skipped{note}')
    for p in progs:
        for f in p.failures:
            print(f'FAILED: {f}')
    for e in extra:
        print(f'FAILED: {e}')
    hits = [h for p in progs for h in p.known_hits]
    if hits:
        print(f'known failures (listed in {args.known}, also fail on the base kernel):')
        for h in hits:
            print(f'  {h}')
    print(f'skipped: {skipped}, xfail: {xfail}, known failures: {kfail} (see {args.known})')
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
