#!/usr/bin/env python3
"""Why a patch of the series does not apply to another Debian 6.12 release.

    stable-blame.py --release DIR --release-version V --base DIR
                    --pinned-version P --patch-no N --changelog FILE.gz
                    --summary OUT --details OUT FILE...

DIR of --release is a git repository of the other release with the series'
first N-1 patches committed on it (where "git am" stopped); DIR of --base is
the pinned base (build/base, tag "base"). For each FILE that patch N fails in
this finds the hunks of patch N that do not apply, and the hunks of the
difference between the two releases (the stable changes: FILE of the older
release against FILE of the newer, each with patches 1..N-1) that touch the
lines those hunks need. Debian's source package has no git history, so the upstream
stable commit is looked up by subject in the package's changelog
(changelog.Debian.gz lists each stable update's subjects under its
ChangeLog-6.12.NNN; give the newer release's): the subjects of the releases
after the older up to the newer whose prefix names FILE (mm/pagewalk.c: "mm/pagewalk:", "mm: pagewalk:") or
that name a function the differing hunks touch.

Writes one line for the table to --summary ("subject" (6.12.NNN); ...) and
a markdown section with the hunks to --details.
"""
import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HUNK = re.compile(r'^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$')


def run(cmd, cwd=None, check=True):
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.dirname(cwd or '/'))
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if check and p.returncode != 0:
        sys.exit('error: %s: %s' % (' '.join(cmd), p.stderr.decode(errors='replace')))
    return p


def series():
    out = []
    with open(os.path.join(ROOT, 'patches', 'series')) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                out.append(os.path.join(ROOT, 'patches', line))
    return out


def git_show(repo, rev, path):
    """FILE at REV, or None if it does not exist there."""
    p = run(['git', '-C', repo, 'show', '%s:%s' % (rev, path)], check=False)
    return p.stdout if p.returncode == 0 else None


def touches(patch, path):
    with open(patch, errors='replace') as f:
        return any(line.startswith(('diff --git a/%s ' % path, '+++ b/%s\n' % path))
                   for line in f)


def pinned_pre(base, patches, path):
    """PATH of the pinned base with the given patches applied (only PATH)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = git_show(base, 'base', path)
        dest = os.path.join(tmp, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if data is not None:
            with open(dest, 'wb') as f:
                f.write(data)
        for p in patches:
            if touches(p, path):
                run(['git', 'apply', '--include=' + path, p], cwd=tmp)
        if not os.path.exists(dest):
            return None
        with open(dest, 'rb') as f:
            return f.read()


def file_hunks(patch, path):
    """(header lines, [hunk lines...]) of PATH's part of PATCH."""
    header, hunks, inside, left = [], [], False, (0, 0)
    with open(patch, errors='surrogateescape') as f:
        lines = f.read().split('\n')
    for line in lines:
        if left != (0, 0):
            # inside a hunk: count its lines off
            hunks[-1].append(line)
            o, n = left
            if line.startswith('-'):
                o -= 1
            elif line.startswith('+'):
                n -= 1
            elif not line.startswith('\\'):
                o, n = o - 1, n - 1
            left = (o, n)
            continue
        if line.startswith('diff --git '):
            inside = line.startswith('diff --git a/%s b/' % path)
            if inside:
                header = [line]
            continue
        if not inside:
            continue
        m = HUNK.match(line)
        if m:
            hunks.append([line])
            left = (int(m.group(2) or 1), int(m.group(4) or 1))
        elif not hunks:
            header.append(line)
        elif line.startswith('\\'):
            hunks[-1].append(line)
    return header, hunks


def applies(path, data, header, hunk):
    with tempfile.TemporaryDirectory() as tmp:
        dest = os.path.join(tmp, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if data is None:
            return False
        with open(dest, 'wb') as f:
            f.write(data)
        pf = os.path.join(tmp, '.one.patch')
        with open(pf, 'w', errors='surrogateescape') as f:
            f.write('\n'.join(header + hunk) + '\n')
        return run(['git', 'apply', '--check', pf], cwd=tmp, check=False).returncode == 0


def diff_hunks(a, b, path, context, label_a, label_b):
    """Hunks of the diff of A against B: [(old start, old count, new start,
    new count, lines)]."""
    with tempfile.TemporaryDirectory() as tmp:
        fa, fb = os.path.join(tmp, 'a'), os.path.join(tmp, 'b')
        for name, data in ((fa, a), (fb, b)):
            with open(name, 'wb') as f:
                f.write(data or b'')
        # the diff driver "cpp" gives a C function's name in the hunk header
        attrs = os.path.join(tmp, '.attrs')
        with open(attrs, 'w') as f:
            f.write('* diff=cpp\n')
        p = run(['git', '-c', 'core.attributesFile=' + attrs, 'diff', '--no-index',
                 '--no-color', '-U%d' % context, fa, fb], cwd=tmp, check=False)
    hunks = []
    for line in p.stdout.decode(errors='replace').split('\n'):
        m = HUNK.match(line)
        if m:
            os_, oc, ns, nc = (int(m.group(1)), int(m.group(2) or 1),
                               int(m.group(3)), int(m.group(4) or 1))
            hunks.append([os_, oc, ns, nc, [line]])
        elif hunks and line[:1] in (' ', '+', '-', '\\'):
            hunks[-1][4].append(line)
    return hunks


def span(start, count):
    """The lines [first, last) a hunk side covers; an empty side (a pure
    insertion or deletion after line START) touches START and START + 1."""
    return (start, start + count) if count else (start, start + 2)


def overlaps(x, y):
    return x[0] < y[1] and y[0] < x[1]


def changelog_entries(path, newer, older):
    """[(debian version, stable release, subject)] of the changelog's entries
    from NEWER (included) down to OLDER (excluded)."""
    out, ver, stable, keep, started, subj = [], None, None, False, False, None
    upstream = lambda v: v.split('-')[0]
    with gzip.open(path, 'rt', errors='replace') as f:
        lines = f.read().split('\n')

    def flush():
        nonlocal subj
        if subj is not None and keep:
            out.append((ver, stable, ' '.join(subj.split())))
        subj = None
    for line in lines:
        m = re.match(r'^\S+ \(([^)]+)\) ', line)
        if m:
            flush()
            ver = m.group(1)
            if ver == older:
                break
            if ver == newer or upstream(ver) == upstream(newer):
                started = True
            keep, stable = started, None
            continue
        m = re.search(r'ChangeLog-(\d+\.\d+\.\d+)', line)
        if m:
            flush()
            stable = m.group(1)
            continue
        if re.match(r'^    - ', line):
            flush()
            subj = line[6:] if stable else None
        elif subj is not None and re.match(r'^      \S', line):
            subj += ' ' + line.strip()
        else:
            flush()
    flush()
    return out


def prefix_tokens(subject):
    """The words of a subject's prefix: "mm: pagewalk: fix ..." gives
    {mm, pagewalk}, "mm/damon/core: ..." {mm, damon, core}."""
    m = re.match(r'^((?:\[[^]]*\]\s*)?(?:[\w.,/ -]+?:\s+)+)', subject)
    if not m:
        return set()
    return set(t for t in re.split(r'[\s:/,\[\]]+', m.group(1)) if t)


IDENT = re.compile(r'\b([A-Za-z_]\w{3,})\b')


def functions_of(hunks):
    """C functions the hunks are in (hunk header) or call or name."""
    names = set()
    for h in hunks:
        m = HUNK.match(h[4][0])
        ctx = m.group(5) if m else ''
        fm = re.search(r'(\w+)\s*\(', ctx)
        if fm:
            names.add(fm.group(1))
        for line in h[4][1:]:
            if line[:1] in '+-':
                names.update(re.findall(r'\b([A-Za-z_]\w{3,})\s*\(', line))
    return names - {'sizeof', 'unlikely', 'likely', 'return', 'defined', 'if', 'while', 'for'}


def main():
    ap = argparse.ArgumentParser()
    for a in ('release', 'release-version', 'base', 'pinned-version', 'changelog',
              'summary', 'details'):
        ap.add_argument('--' + a, required=True)
    ap.add_argument('--patch-no', type=int, required=True)
    ap.add_argument('files', nargs='+')
    args = ap.parse_args()
    patches = series()
    n = args.patch_no
    patch = patches[n - 1]
    rv, pv = args.release_version, args.pinned_version
    # the stable changes go from the older release to the newer
    release_older = subprocess.run(['dpkg', '--compare-versions', rv, 'lt', pv]).returncode == 0
    old, new = (rv, pv) if release_older else (pv, rv)
    entries = changelog_entries(args.changelog, new, old)
    details, found = [], []
    for path in args.files:
        rel = git_show(args.release, 'HEAD', path)
        pin = pinned_pre(args.base, patches[:n - 1], path)
        header, hunks = file_hunks(patch, path)
        failing = [h for h in hunks if not applies(path, rel, header, h)]
        details.append('`%s`%s:' % (path, '' if rel is not None else
                                    ' (not in %s)' % rv))
        details.append('')
        for h in failing:
            details.append('- hunk `%s` of the patch does not apply' % h[0])
        if n > 1:
            note = ', both with patches 1-%d' % (n - 1)
        else:
            note = ''
        if rel is None or pin is None:
            chosen = []
        else:
            need = []
            for h in failing:
                m = HUNK.match(h[0])
                need.append(span(int(m.group(1)), int(m.group(2) or 1)))
            a, b = (rel, pin) if release_older else (pin, rel)
            # the side of the diff that is the pinned base's: the patch's
            # line numbers
            side = 2 if release_older else 0
            tight = diff_hunks(a, b, path, 0, old, new)
            picked = [h for h in tight
                      if any(overlaps(span(h[side], h[side + 1]), r) for r in need)]
            wide = diff_hunks(a, b, path, 2, old, new)
            chosen = [w for w in wide
                      if any(w[side] <= p[side] < w[side] + max(w[side + 1], 1) + 1
                             for p in picked)]
            details.append('')
            if chosen:
                details.append('the stable change there (%s against %s%s):'
                               % (old, new, note))
                details.append('')
                details.append('```diff')
                details.append('--- a/%s (%s)' % (path, old))
                details.append('+++ b/%s (%s)' % (path, new))
                for w in chosen:
                    details.extend(w[4])
                details.append('```')
            else:
                details.append('no difference between %s and %s touches those '
                               'lines (%d differing hunks elsewhere in the file)'
                               % (old, new, len(tight)))
        # the stable update that brought it: prefix names the file, or the
        # subject names a function the differing hunks touch
        stem = os.path.splitext(os.path.basename(path))[0]
        funcs = functions_of(chosen)
        scored = []
        for ver, stable, subj in entries:
            score = 0
            if stem in prefix_tokens(subj):
                score += 2
            named = [f for f in funcs if re.search(r'\b%s\b' % re.escape(f), subj)]
            if named:
                score += 3
            if score:
                scored.append((score, stable, ver, subj))
        scored.sort(key=lambda s: -s[0])
        details.append('')
        if scored:
            best = [s for s in scored if s[0] == scored[0][0]][:3]
            details.append('changelog.Debian.gz, stable updates after %s up to %s:'
                           % (old, new))
            details.append('')
            for s in best:
                details.append('- "%s": 6.12 stable %s (Debian %s)' % (s[3], s[1], s[2]))
                found.append('"%s" (%s)' % (s[3], s[1]))
            rest = len(scored) - len(best)
            if rest:
                details.append('- and %d more subject(s) naming `%s` or those functions, '
                               'less likely' % (rest, stem))
        else:
            details.append('no subject in changelog.Debian.gz after %s names `%s` '
                           'or the functions there' % (old, stem))
        details.append('')
    with open(args.summary, 'w') as f:
        f.write('; '.join(dict.fromkeys(found)) or 'not named in the changelog')
        f.write('\n')
    with open(args.details, 'w') as f:
        f.write('\n'.join(details) + '\n')


if __name__ == '__main__':
    main()
