#!/usr/bin/env python3
"""Check that the series removes no kernel header API.

Usage: header-api.py TREE [BASE_REV]

Out-of-tree modules build against the headers of the kernel they run on, and
in an LTS tree a name that disappears from a header only breaks them. For
every header under include/ or arch/*/include/ that the series (BASE_REV..HEAD,
default "base") changes, this collects the names the header defines at file
level: macros, and functions declared or defined (inline stubs included), with
how often each is defined: a name defined for both sides of an #ifdef (a
function and its !CONFIG stub) counts twice. A name defined fewer times after
the series than on the base (gone, or its stub for one configuration gone)
is reported, and the exit status is 1.

It is a textual check, not a compiler: it sees names, not types, struct
fields or enum constants, and a name is looked for only among the changed
API headers (a name moved to a header the series did not touch would be
reported; none is). Exports are compared by make check separately, from
Module.symvers.
"""
import collections
import re
import subprocess
import sys

DEFINE = re.compile(r'^\s*#\s*define\s+(\w+)')
# A file-level declaration or definition: starts in column 0 and names a
# function ("type name(", "name(" after a type on the line before).
DECL = re.compile(r'^(?!\s)(?:[\w\s\*]*?[\s\*])?(\w+)\s*\(')
KEYWORDS = {'if', 'for', 'while', 'switch', 'return', 'sizeof', 'typeof',
            '__typeof__', 'defined', 'do', 'static_assert', 'BUILD_BUG_ON',
            'DECLARE_STATIC_KEY_FALSE', 'DECLARE_STATIC_KEY_TRUE',
            'EXPORT_SYMBOL', 'EXPORT_SYMBOL_GPL', '__attribute__'}


def git(tree, *args):
    return subprocess.run(['git', '-C', tree] + list(args), check=True,
                          capture_output=True, text=True).stdout


def names(text):
    found = collections.Counter()
    in_comment = False
    cont = False
    for line in text.splitlines():
        # Drop comments (good enough for kernel headers).
        if in_comment:
            if '*/' not in line:
                continue
            line = line.split('*/', 1)[1]
            in_comment = False
        line = re.sub(r'/\*.*?\*/', '', line)
        if '/*' in line:
            line = line.split('/*', 1)[0]
            in_comment = True
        line = re.sub(r'//.*', '', line)
        was_cont = cont
        cont = line.rstrip().endswith('\\')
        m = DEFINE.match(line)
        if m:
            found[m.group(1)] += 1
            continue
        if was_cont:
            continue	# the body of a macro
        m = DECL.match(line)
        if m and m.group(1) not in KEYWORDS:
            found[m.group(1)] += 1
    return found


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    tree = sys.argv[1]
    base = sys.argv[2] if len(sys.argv) > 2 else 'base'
    def api(f):
        return f.endswith('.h') and (f.startswith('include/') or
                                     re.match(r'arch/[^/]+/include/', f))
    # --no-renames: a renamed header is a deleted one and an added one.
    changed = [f for f in git(tree, 'diff', '--name-only', '--no-renames',
                              '--diff-filter=DM', base, 'HEAD').split()
               if api(f)]
    added = [f for f in git(tree, 'diff', '--name-only', '--no-renames',
                            '--diff-filter=A', base, 'HEAD').split()
             if api(f)]
    before, after = collections.Counter(), collections.Counter()
    for f in changed:
        before += names(git(tree, 'show', f'{base}:{f}'))
    for f in set(changed) | set(added):
        try:
            after += names(git(tree, 'show', f'HEAD:{f}'))
        except subprocess.CalledProcessError:
            pass	# deleted
    gone = sorted(before - after)
    for name in gone:
        print(f'header API: {name} is defined {before[name]} time(s) on the '
              f'base, {after[name]} after the series')
    print(f'header API: {len(changed)} headers changed, {len(before)} names '
          f'on the base, {len(gone)} removed')

    # Exports: none may go, nor become GPL-only.
    export = re.compile(r'^([-+])\s*EXPORT_SYMBOL(_GPL)?\((\w+)\)')
    removed, added_exp = {}, {}
    for line in git(tree, 'diff', '--no-renames', base, 'HEAD', '--',
                    '*.c', '*.h').splitlines():
        m = export.match(line)
        if m:
            (removed if m.group(1) == '-' else added_exp)[m.group(3)] = \
                bool(m.group(2))
    bad = []
    for name, gpl in sorted(removed.items()):
        if name not in added_exp:
            bad.append(f'export: {name} is no longer exported')
        elif added_exp[name] and not gpl:
            bad.append(f'export: {name} became GPL-only')
    for line in bad:
        print(line)
    print(f'exports: {len(added_exp)} added or changed, {len(removed)} removed '
          f'or changed, {len(bad)} lost or restricted')
    sys.exit(1 if gone or bad else 0)


if __name__ == '__main__':
    main()
