#!/usr/bin/env python3
"""Turn the guest output of a benchmark into a results table with ratios,
and a chart of them (SVG, drawn with matplotlib).

usage: bench-report.py guard|pt-reclaim|mmu-notifier|reclaim|exclusive|kvm RAWDIR OUT.md OUT.svg

RAWDIR holds the guest output of one boot per file, KIND-BOOT.txt (reclaim:
KIND-CONFIG-BOOT.txt), KIND base or patched and BOOT 1, 2, ... in the order
the kernels alternated (base, patched, base, ...). Each figure is the median
over the boots, with the min-max over boots in brackets where they differ; a
ratio is patched / base of those medians, with the min-max of the per-pair
ratios (boot i of one kernel against boot i of the other).
"""
import glob
import os
import statistics
import sys

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402 (after the backend is chosen)
from matplotlib import ticker  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

# The charts: fixed SVG ids and no date, so that the same figures give the
# same file.
plt.rcParams.update({'svg.hashsalt': 'bench-report', 'font.size': 9,
                     'axes.titlesize': 11, 'axes.spines.top': False,
                     'axes.spines.right': False})


def parse_dir(rawdir, parse_lines):
    """RAWDIR/KIND[-CONFIG]-BOOT.txt: {(kind, config): {boot:
    parse_lines(the file's lines)}} (config '' where the name has none), and
    the "error=..." lines of every file."""
    runs, errors = {}, []
    for path in sorted(glob.glob(os.path.join(rawdir, '*-*.txt'))):
        name = os.path.basename(path)[:-4]
        kind, _, rest = name.partition('-')
        cfg, _, boot = rest.rpartition('-')
        with open(path, errors='replace') as f:
            lines = [line.strip() for line in f]
        errors += [f'{name}: {line[6:]}' for line in lines if line.startswith('error=')]
        runs.setdefault((kind, cfg), {})[int(boot)] = parse_lines(lines)
    return runs, errors


def number(v):
    """The value of a "key=value" field, a float where it is a number."""
    try:
        return float(v)
    except ValueError:
        return v


def guard_lines(lines):
    """guard-run.sh output: {(mode, regions): {key: value}}, and its
    "name=value" lines (the vm.max_map_count values) under 'sysctl'."""
    rows = {'sysctl': {}}
    for line in lines:
        if line.startswith('mode='):
            kv = dict(p.split('=', 1) for p in line.split() if '=' in p)
            rows[(kv['mode'], int(kv['regions']))] = {k: number(v) for k, v in kv.items()}
        elif '=' in line and ' ' not in line:
            k, v = line.split('=', 1)
            rows['sysctl'][k] = v
    return rows


def kv_lines(lines):
    """pt-reclaim-run.sh, mmu-notifier-run.sh output, "mode.key value" lines:
    {mode: {key: float}}, the key being what follows the last dot."""
    rows = {}
    for line in lines:
        parts = line.split()
        if len(parts) != 2 or '.' not in parts[0]:
            continue
        v = number(parts[1])
        if isinstance(v, float):
            mode, _, key = parts[0].rpartition('.')
            rows.setdefault(mode, {})[key] = v
    return rows


def fmt(v, unit=''):
    if v is None:
        return 'n/a'
    if v >= 100:
        return f'{v:,.0f}{unit}'
    return f'{v:.2f}{unit}'


def fmt_int(v, unit=''):
    return f'{v:,.0f}{unit}'


def signed(v, unit=''):
    """v with its sign, formatted like fmt()."""
    return ('-' if v < 0 else '+') + fmt(abs(v), unit)


def delta(a, b):
    """a - b with its sign, formatted like fmt()."""
    if a is None or b is None:
        return 'n/a'
    return signed(a - b)


def by_boot(boots, key, stat):
    """{boot: the value of stat for key} of the boots ({boot: rows}) that
    have it."""
    return {i: boots[i][key][stat] for i in sorted(boots)
            if key in boots[i] and stat in boots[i][key]}


def per_boot(runs, kind, cfg, key, stat):
    """The values of stat for key, one per boot, in boot order."""
    return list(by_boot(runs.get((kind, cfg), {}), key, stat).values())


def median_of(boots, key, stat):
    """The median over the boots of stat for key, or None."""
    v = list(by_boot(boots, key, stat).values())
    return statistics.median(v) if v else None


def med_range(vals, unit='', form=fmt, sep='-'):
    """"median (min-max)" of per-boot values."""
    if not vals:
        return 'n/a'
    m, lo, hi = statistics.median(vals), form(min(vals)), form(max(vals))
    if lo == hi:
        return form(m, unit)
    return f'{form(m, unit)} ({lo}{sep}{hi})'


def cell(boots, key, stat, form=fmt):
    """A table cell: stat for key, median over the boots (min-max)."""
    return med_range(list(by_boot(boots, key, stat).values()), form=form)


def ratio_spread(num, den, digits=3):
    """median(num) / median(den) of two {boot: value}, with the min-max of
    the per-pair ratios (boot i against boot i) in brackets."""
    if not num or not den or not statistics.median(den.values()):
        return None, 'n/a'
    r = statistics.median(num.values()) / statistics.median(den.values())
    pairs = [num[i] / den[i] for i in num if den.get(i)]
    if len(pairs) > 1:
        return r, f'{r:.{digits}f} ({min(pairs):.{digits}f}-{max(pairs):.{digits}f})'
    return r, f'{r:.{digits}f}'


def ratio_range(runs, key, stat, cfg):
    """Ratio patched / base of the medians, with the per-pair min-max."""
    return ratio_spread(by_boot(runs.get(('patched', cfg), {}), key, stat),
                        by_boot(runs.get(('base', cfg), {}), key, stat))


def triple(runs, key, stat, cfg):
    """The ratio, and the cells "base | patched | ratio" of stat for key."""
    r, rs = ratio_range(runs, key, stat, cfg)
    b, p = (runs.get((kind, cfg), {}) for kind in ('base', 'patched'))
    return r, f'{cell(b, key, stat)} | {cell(p, key, stat)} | {rs}'


def boots_text(runs, raw, ratio='patched / base'):
    """What the figures of a report are, over how many boots."""
    nb, npb = (len(runs.get((kind, ''), {})) for kind in ('base', 'patched'))
    return [f'{nb} boots of the base and {npb} of the patched kernel, alternating (base,',
            f'patched, base, ...; raw guest output in bench/raw/{raw}/). Each figure is',
            'the median over the boots, with the min-max over boots in brackets where',
            f'they differ; a ratio is {ratio} of those medians, with the min-max',
            'of the per-pair ratios (boot i against boot i) in brackets.']


def error_lines(errors):
    """The "error=..." lines of the guest output, for the end of a report."""
    if not errors:
        return []
    return ['', 'Errors reported:', ''] + [f'- `{e}`' for e in errors]


BASE_COLOR = '#888888'
COLORS = ('#3366cc', '#33aa55')
# Text over a grid line or the 1.00 line hides it.
LABEL_BOX = {'facecolor': 'white', 'edgecolor': 'none', 'pad': 0.5}


def ratio_label(r, digits=2):
    """A ratio as written on a chart: 0.70x; 2 significant digits below 0.1
    (0.083x, 0.0023x)."""
    return f'{r:.{digits}f}x' if r >= 0.1 else f'{r:.2g}x'


def new_chart(title, ylabel, xlabel, legend_rows=1):
    """A figure with one set of axes: the title, with room under it for a
    legend of legend_rows rows, the axis labels and horizontal grid lines."""
    fig, ax = plt.subplots(figsize=(10, 4.5))
    ax.set_title(title, pad=6 + 16 * legend_rows)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.yaxis.grid(True, color='#dddddd')
    ax.set_axisbelow(True)
    return fig, ax


def y_scale(ax, top, form='{x:,.0f}', steps=(1, 2, 2.5, 5, 10), nbins=6):
    """The y axis from 0 to top, with round ticks (at most nbins steps of
    1, 2, 2.5 or 5 times a power of ten) labelled with form."""
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=nbins, steps=list(steps)))
    ax.yaxis.set_major_formatter(ticker.StrMethodFormatter(form))


def group_ticks(ax, labels, n):
    """One x tick per group of n bars (bar_x())."""
    ax.set_xticks(range(len(labels)), labels)
    ax.set_xlim(-0.5, max(len(labels), 1) - 0.5)
    ax.tick_params(axis='x', length=0)


def bar_x(gi, si, n):
    """The centre of bar si of n in group gi, and the bars' width."""
    w = 0.8 / n
    return gi - 0.4 + w * (si + 0.5), w * 0.9


def note_bar(ax, x, top, text):
    """Where a bar has no value: why, written upwards in its place."""
    ax.text(x, top * 0.02, text, rotation=90, ha='center', va='bottom',
            fontsize=8, color='#555555', bbox=LABEL_BOX)


def save_chart(fig, ax, names, colors, path):
    """A legend of names (above the axes, one row) where there is more than
    one series; then write the chart (SVG, the same bytes for the same
    figures) and close it."""
    if len(names) > 1:
        handles = [Patch(color=c, label=n) for n, c in zip(names, colors)]
        ax.legend(handles=handles, loc='lower center', bbox_to_anchor=(0.5, 1.0),
                  ncol=len(names), frameon=False, borderaxespad=0.2,
                  handlelength=1.2, columnspacing=2.5)
    fig.savefig(path, format='svg', bbox_inches='tight', pad_inches=0.1,
                metadata={'Date': None})
    plt.close(fig)


def svg_chart(series, sizes, path, title='Guard setup time per region (lower is better)',
              unit='regions', ylabel='setup time per region (ns)', faster=False):
    """Grouped bars of setup ns per region, one group per region count, one
    bar per series (name, notes, values), the first the base. Above each
    other bar its ratio to the base: this way / base, or with faster base /
    this way ("x faster"); a series' note in place of a value it lacks."""
    vals = [v for s in series for v in s[2] if v is not None]
    top = max(vals + [1]) * 1.15
    fig, ax = new_chart(title, ylabel, unit)
    y_scale(ax, top)
    colors = (BASE_COLOR,) + COLORS
    for gi in range(len(sizes)):
        base = series[0][2][gi]
        for si, (_, notes, values) in enumerate(series):
            x, w = bar_x(gi, si, len(series))
            v = values[gi]
            if v is None:
                note_bar(ax, x, top, notes[gi])
                continue
            ax.bar(x, v, w, color=colors[si])
            if si and base:
                text = f'{ratio_label(base / v)}\nfaster' if faster else ratio_label(v / base)
                ax.text(x, v + top * 0.01, text, ha='center', va='bottom', fontsize=8,
                        bbox=LABEL_BOX)
    group_ticks(ax, [f'{n:,}' for n in sizes], len(series))
    save_chart(fig, ax, [s[0] for s in series], colors, path)


GUARD_WAYS = (('base', 'protnone', 'base: PROT_NONE'),
              ('patched', 'protnone', 'patched: PROT_NONE'),
              ('patched', 'madvise', 'patched: MADV_GUARD_INSTALL'),
              ('patched', 'process_madvise', 'patched: process_madvise batch'))


def guard_sizes(runs, arena):
    """The region (or slot) counts of the region table, or of the arena's."""
    return sorted({k[1] for boots in runs.values() for rows in boots.values()
                   for k in rows if k != 'sysctl' and k[0].startswith('arena_') == arena})


def way_note(rows):
    """Why a way has no figure, from its row of the first boot."""
    row = rows[0] if rows else {}
    if 'failed' in row:
        what = row['failed']
        return 'fails: ' + ('vm.max_map_count' if what == 'max_map_count' else str(what))
    return 'unsupported' if 'unsupported' in row else 'n/a'


def guard_table(runs, errors, sizes, prefix, row_line, lines, md, svg, **chart):
    """Write the table (lines, its head) and its chart (svg_chart() with
    chart, the median setup time of each way but patched PROT_NONE): one row
    per region count and way (base PROT_NONE, patched PROT_NONE,
    MADV_GUARD_INSTALL, process_madvise), against base PROT_NONE. row_line(n,
    name, row, cells, rat) gets the way's row of its first boot, cells(stat,
    form) its median over the boots (min-max) and rat(stat, faster) its
    ratio to base PROT_NONE (faster: base / this way) with the per-pair
    min-max."""
    series = {w[2]: [] for w in GUARD_WAYS}
    notes = {w[2]: [] for w in GUARD_WAYS}
    base = runs.get(('base', ''), {})
    for n in sizes:
        ref = (prefix + 'protnone', n)
        for kind, mode, name in GUARD_WAYS:
            boots = runs.get((kind, ''), {})
            key = (prefix + mode, n)
            series[name].append(median_of(boots, key, 'setup_ns_per_region'))
            rows = [boots[i][key] for i in sorted(boots) if key in boots[i]]
            notes[name].append(way_note(rows))
            if not rows:
                continue

            def cells(stat, form=fmt, boots=boots, key=key):
                return cell(boots, key, stat, form)

            def rat(stat, faster=False, boots=boots, key=key, ref=ref):
                way, prot = by_boot(boots, key, stat), by_boot(base, ref, stat)
                return (ratio_spread(prot, way, 2) if faster else ratio_spread(way, prot))[1]
            lines.append(row_line(n, name, rows[0], cells, rat))
    lines += error_lines(errors) + ['']
    write_md(md, lines)
    svg_chart([(n, notes[n], v) for n, v in series.items() if n != 'patched: PROT_NONE'],
              sizes, svg, **chart)


def guard_sysctl(runs):
    """The "name=value" lines of the base kernel's first boot."""
    boots = runs.get(('base', ''), {})
    return boots[min(boots)]['sysctl'] if boots else {}


def guard(rawdir, md, svg):
    runs, errors = parse_dir(rawdir, guard_lines)
    guard_arena(runs, errors, md.replace('.md', '-arena.md'),
                svg.replace('.svg', '-arena.svg'))
    sysctl = guard_sysctl(runs)
    sizes = guard_sizes(runs, False)
    lines = ['# Guard regions: PROT_NONE guards on the base kernel against guard markers',
             '',
             'Generated by `make bench` (scripts/bench): base 6.12.117 and the patched',
             'kernel, same bench config (no debugging), same initramfs, QEMU TCG with',
             '`-icount` (guest time follows the instruction count).',
             'Each region is 16 pages with one guard page at its low end, regions',
             'separated by an unmapped page so that none can merge; "touch" writes one',
             'page above each guard. Within a boot, times are medians of 3 runs (1 run',
             'at 50,000). Ratios are patched / base PROT_NONE: below 1 is better.',
             ''] + boots_text(runs, 'guard', 'this way / base PROT_NONE') + ['']
    if 'default_max_map_count' in sysctl:
        lines += [f'The default vm.max_map_count is {sysctl["default_max_map_count"]}: '
                  'at 2 VMAs per region, PROT_NONE guards run out of VMAs near '
                  f'{int(sysctl["default_max_map_count"]) // 2:,} regions, so the '
                  'benchmark raises the limit to 262,144 for every kernel.', '']
    lines += ['| regions | way | VMAs per region | setup ns/region | ratio | '
              'teardown ns/region | ratio | touch ns/region | VmPTE kB |',
              '|---:|---|---:|---:|---:|---:|---:|---:|---:|']

    def row_line(n, name, row, cells, rat):
        if 'unsupported' in row or 'failed' in row:
            return f'| {n:,} | {name} | {row.get("failed", "unsupported")} | | | | | | |'
        return (f'| {n:,} | {name} | {cells("vmas_per_region")} '
                f'| {cells("setup_ns_per_region")} | {rat("setup_ns_per_region")} '
                f'| {cells("teardown_ns_per_region")} | {rat("teardown_ns_per_region")} '
                f'| {cells("touch_ns_per_region")} | {cells("vmpte_kb")} |')
    guard_table(runs, errors, sizes, '', row_line, lines, md, svg,
                title='Guard setup time per region (lower is better); '
                'on the bars: patched / base PROT_NONE')


def guard_arena(runs, errors, md, svg):
    """The allocator's layout: one arena, a guard page per slot."""
    sizes = guard_sizes(runs, True)
    if not sizes:
        return
    limit = guard_sysctl(runs).get('arena_max_map_count', '65530')
    lines = ['# Guard regions in one arena: PROT_NONE against guard markers',
             '',
             'Generated by `make bench` (scripts/bench, `guard-bench arena`): base 6.12.117',
             'and the patched kernel, same bench config (no debugging), same initramfs,',
             'QEMU TCG with `-icount` (guest time follows the instruction count).',
             'One mmap() of N slots of 4 pages, a one-page guard at the low end',
             'of every slot, made with mprotect(PROT_NONE) per guard, MADV_GUARD_INSTALL',
             'per guard, or all of them through process_madvise() on ourselves, 1,024',
             'ranges per call; teardown is one munmap() of the arena. Within a boot,',
             'times are medians of 3 runs up to 10,000 slots, one run above.',
             f'vm.max_map_count is the default, {int(limit):,}. "x faster" is base',
             'PROT_NONE / this way.',
             ''] + boots_text(runs, 'guard', 'base PROT_NONE / this way') + [
             '',
             '| slots | way | VMAs | setup ns/guard | x faster | teardown ns/guard '
             '| x faster | VmPTE kB |',
             '|---:|---|---:|---:|---:|---:|---:|---:|']

    def row_line(n, name, row, cells, rat):
        if 'failed' in row:
            return (f'| {n:,} | {name} | fails: vm.max_map_count at slot '
                    f'{int(row["at_region"]):,} | | | | | |')
        if 'unsupported' in row:
            return f'| {n:,} | {name} | unsupported | | | | | |'
        return (f'| {n:,} | {name} | {cells("vmas", fmt_int)} '
                f'| {cells("setup_ns_per_region")} | {rat("setup_ns_per_region", True)} '
                f'| {cells("teardown_ns_per_region")} | {rat("teardown_ns_per_region", True)} '
                f'| {cells("vmpte_kb", fmt_int)} |')
    guard_table(runs, errors, sizes, 'arena_', row_line, lines, md, svg,
                title='Guard setup time per guard in one arena (lower is better); '
                'on the bars: base PROT_NONE / this way',
                unit='slots in the arena', ylabel='setup time per guard (ns)', faster=True)


def own_scale_pairs(title, groups, path, ylabel):
    """A base and a patched bar per group (label, base, patched), each group
    in a panel of its own scale: the value on each bar, patched / base
    above the pair."""
    fig, axes = plt.subplots(1, len(groups), figsize=(10, 4.5))
    fig.suptitle(title)
    for ax, (label, b, p) in zip(axes, groups):
        top = max(v for v in (b, p, 1) if v is not None) * 1.3
        y_scale(ax, top)
        ax.yaxis.grid(True, color='#dddddd')
        ax.set_axisbelow(True)
        for x, v, color in ((0, b, BASE_COLOR), (1, p, COLORS[0])):
            if v is None:
                note_bar(ax, x, top, 'n/a')
                continue
            ax.bar(x, v, 0.6, color=color)
            ax.text(x, v + top * 0.01, f'{v:,.0f}', ha='center', va='bottom', fontsize=8)
        if b and p is not None:
            ax.text(0.5, top * 0.9, f'patched / base: {ratio_label(p / b)}', ha='center',
                    va='bottom', fontweight='bold', bbox=LABEL_BOX)
        ax.set_xticks([0, 1], ['base', 'patched'])
        ax.set_xlim(-0.6, 1.6)
        ax.tick_params(axis='x', length=0)
        ax.set_title(label)
        ax.set_ylabel(ylabel)
    save_chart(fig, axes[0], (), (), path)


def write_md(md, lines):
    """Write a results table (and print it)."""
    with open(md, 'w') as f:
        f.write('\n'.join(lines))
    print('\n'.join(lines))


def ratio_bars(groups, svg, title, names, ylabel, xlabel, digits=2):
    """Bars of patched / base ratios, one per name in each group (label,
    ratio, ...), the ratio written above each and 1.00 marked; "n/a" in
    place of a missing one."""
    vals = [v for g in groups for v in g[1:] if v is not None]
    top = max(vals + [1.0]) * 1.15
    fig, ax = new_chart(title, ylabel, xlabel, 1 if len(names) > 1 else 0)
    y_scale(ax, top, '{x:.1f}', steps=(1, 2, 5, 10), nbins=8)
    ax.axhline(1.0, color='#999999', linestyle='--', linewidth=1, zorder=1)
    ax.text(1.005, 1.0, '1.00 =\nsame', transform=ax.get_yaxis_transform(),
            ha='left', va='center', fontsize=8, color='#555555')
    for gi, g in enumerate(groups):
        for si, v in enumerate(g[1:]):
            x, w = bar_x(gi, si, len(names))
            if v is None:
                note_bar(ax, x, top, 'n/a')
                continue
            ax.bar(x, v, w, color=COLORS[si], zorder=2)
            ax.text(x, v + top * 0.01, ratio_label(v, digits), ha='center', va='bottom',
                    fontsize=8, bbox=LABEL_BOX)
    group_ticks(ax, [g[0] for g in groups], len(names))
    save_chart(fig, ax, names, COLORS, svg)


def pt_reclaim(rawdir, md, svg):
    runs, errors = parse_dir(rawdir, kv_lines)
    b, p = runs.get(('base', ''), {}), runs.get(('patched', ''), {})
    nv = [len(by_boot(boots, 'reference', 'vmpte_after_kb')) for boots in (b, p)]
    lines = ['# Page-table reclaim: base 6.12.117 against the patched kernel',
             '',
             'Generated by `make bench` (scripts/bench pt-reclaim, bench/pt-reclaim-bench.c):',
             'base and patched kernel, same bench config (no debugging, CONFIG_PT_RECLAIM=y',
             'on the patched one), same initramfs. Each boot of a kernel is two: the VmPTE',
             'workloads under plain QEMU TCG (only memory is measured), then the throughput',
             'runs under `-icount` (guest time follows the instruction count, so times',
             'measure path length).',
             ''] + boots_text(runs, 'pt-reclaim') + [
             '',
             '## VmPTE (kB, lower is better)',
             '',
             f'Boots with the VmPTE workloads: {nv[0]} of the base, {nv[1]} of the patched '
             'kernel.',
             '',
             '| workload | base before | base after | patched before | patched after | '
             'patched after / before |',
             '|---|---:|---:|---:|---:|---:|']
    for mode, name in (('reference', 'reference: 50 GiB, 25,600 x (touch 2 MiB, '
                        'MADV_DONTNEED 2 MiB)'),
                       ('allocator', 'allocator: 1 GiB freed in shuffled 4-64 KiB '
                        'MADV_DONTNEEDs')):
        pb, pa = by_boot(p, mode, 'vmpte_before_kb'), by_boot(p, mode, 'vmpte_after_kb')
        base0 = by_boot(p, mode, 'vmpte_baseline_kb')
        pct = med_range([100 * pa[i] / pb[i] for i in pa if pb.get(i)], '%')
        own = [100 * (pa[i] - base0[i]) / (pb[i] - base0[i])
               for i in pa if i in base0 and pb.get(i, 0) > base0[i]]
        if own:
            pct += f', {med_range(own, "%")} of the mapping\'s own'
        lines.append(f'| {name} | {cell(b, mode, "vmpte_before_kb", fmt_int)} '
                     f'| {cell(b, mode, "vmpte_after_kb", fmt_int)} '
                     f'| {cell(p, mode, "vmpte_before_kb", fmt_int)} '
                     f'| {cell(p, mode, "vmpte_after_kb", fmt_int)} | {pct} |')
    lines += ['',
              'The published reference for the 50 GiB workload is 102,640 kB before and',
              '240 kB after. "Before" and "after" include the process\'s own page tables',
              '(about 40 kB: program, stack, and the upper levels over the mapping); the',
              'second share counts only what the mapping added.',
              '',
              '## Throughput where nothing is reclaimable (ratio patched / base; '
              'below 1 is faster)',
              '',
              '| benchmark | base | patched | ratio |',
              '|---|---:|---:|---:|']
    for mode, stat, name in (('dontneed', 'ns_per_op', 'MADV_DONTNEED of one 4 KiB page '
                              'per populated table, then re-touch (ns/op)'),
                             ('fault', 'ns_per_fault', 'page fault, 256 MiB touched then '
                              'unmapped (ns/fault)')):
        lines.append(f'| {name} | {triple(runs, mode, stat, "")[1]} |')
    extra = sorted({(m, s) for rows in p.values() for m in rows for s in rows[m]
                    if s.startswith('pt_reclaim_')})
    if extra:
        lines += ['', 'Reclaim counters on the patched kernel (/proc/vmstat deltas per '
                  'workload, median over boots, min-max):', '']
        lines += [f'- `{m}.{s}`: {cell(p, m, s, fmt_int)}' for m, s in extra]
    lines += error_lines(errors) + ['']
    write_md(md, lines)
    own_scale_pairs('VmPTE after the workload (lower is better)',
                    [('reference 50 GiB', median_of(b, 'reference', 'vmpte_after_kb'),
                      median_of(p, 'reference', 'vmpte_after_kb')),
                     ('allocator 1 GiB', median_of(b, 'allocator', 'vmpte_after_kb'),
                      median_of(p, 'allocator', 'vmpte_after_kb'))],
                    svg, 'VmPTE after the workload (kB)')


def invalidation_cost(boots, mode):
    """test_hmm ns/op - no-notifier ns/op of one boot: median over the
    boots (min to max)."""
    hmm = by_boot(boots, 'hmm.' + mode, 'ns_per_op')
    none = by_boot(boots, 'none.' + mode, 'ns_per_op')
    return med_range([hmm[i] - none[i] for i in hmm if i in none], form=signed, sep=' to ')


def mmu_notifier(rawdir, md, svg):
    runs, errors = parse_dir(rawdir, kv_lines)
    ops = (('fault', 'fault: write one byte to each 4 KiB page of a fresh 64 MiB '
            'mapping (per fault)'),
           ('munmap', 'munmap: one VMA of 16 populated pages'),
           ('mprotect', 'mprotect: 64 populated pages to PROT_READ or back '
            '(per call)'),
           ('dontneed', 'dontneed: MADV_DONTNEED of 16 populated pages, with '
            'their 16 refaults'))
    lines = ['# MMU-notifier hooks: base 6.12.117 against the patched kernel',
             '',
             'Generated by `make bench` (scripts/bench mmu-notifier, '
             'bench/mmu-notifier-bench.c):',
             'base and patched kernel, same bench config (no debugging), same '
             'initramfs, one vCPU,',
             'QEMU TCG with `-icount shift=0`: guest time advances one nanosecond '
             'per instruction, so',
             'the ns/op below are guest instructions per op, and a ratio '
             '(patched / base) below 1.00',
             'means fewer instructions. Each mode runs one untimed warm-up round '
             'first.',
             ''] + boots_text(runs, 'mmu-notifier') + [
             '',
             '"No notifier": nothing has registered an MMU notifier since boot (on '
             'the patched kernel',
             'the hooks\' static key is still off). "test_hmm": the same runs, '
             'later in the same boot,',
             'with /dev/hmm_dmirror0 of lib/test_hmm.ko open, whose interval '
             'notifier covers the whole',
             'address space of the process. Cost per invalidation = test_hmm ns/op '
             '- no-notifier ns/op',
             'in the same boot (median over boots, min to max): a munmap, mprotect or '
             'dontneed op makes one',
             'invalidation (its pages lie in one page table); a fault makes none, so '
             'that row shows what',
             'the hooks cost a fault path once a notifier is registered.',
             '',
             '| operation | base ns/op, no notifier | patched ns/op, no notifier '
             '| ratio | base ns/op, test_hmm | patched ns/op, test_hmm | ratio '
             '| cost per invalidation, base | cost per invalidation, patched |',
             '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    groups = []
    for mode, name in ops:
        rn, none = triple(runs, 'none.' + mode, 'ns_per_op', '')
        rh, hmm = triple(runs, 'hmm.' + mode, 'ns_per_op', '')
        costs = [invalidation_cost(runs.get((kind, ''), {}), mode)
                 for kind in ('base', 'patched')]
        lines.append(f'| {name} | {none} | {hmm} | {costs[0]} | {costs[1]} |')
        groups.append((mode, rn, rh))
    lines += error_lines(errors) + ['']
    write_md(md, lines)
    ratio_bars(groups, svg,
               'MMU-notifier hooks: patched / base instructions per op (lower is better)',
               ('no notifier', 'test_hmm notifier'),
               'instructions per op, patched / base', 'operation', digits=3)


def exclusive(rawdir, md, svg):
    runs, errors = parse_dir(rawdir, kv_lines)
    rows = (('small', 'convert_ns_per_page', '4 KiB pages: make one device-exclusive (per page, 256 per call)'),
            ('small', 'revoke_ns_per_page', '4 KiB pages: revoke by a CPU read (per page)'),
            ('thp', 'convert_ns_per_page', 'THP: make its 512 pages device-exclusive (per page, one call)'),
            ('thp', 'revoke_ns_per_page', 'THP: revoke each page by a CPU read (per page)'),
            ('thp1', 'convert_ns_per_page', 'THP: make page 0 only device-exclusive (the call)'),
            ('thp1', 'revoke_ns_per_page', 'THP: revoke page 0 by a CPU read'),
            ('thp1', 'fenced_pages', 'THP: pages the CPU loses by converting page 0'))
    lines = ['# Device-exclusive access: base 6.12.117 against the patched kernel',
             '',
             'Generated by `make bench` (scripts/bench exclusive, bench/exclusive-bench.c):',
             'base and patched kernel, same bench config (no debugging), same initramfs, one vCPU,',
             'QEMU TCG with `-icount shift=0`: guest time advances one nanosecond per instruction, so',
             'the ns below are guest instructions, and a ratio (patched / base) below 1.00 means',
             'fewer instructions. Conversion is lib/test_hmm.ko\'s HMM_DMIRROR_EXCLUSIVE ioctl',
             '(make_device_exclusive_range() on 6.12, make_device_exclusive() per page patched),',
             'including test_hmm\'s own mapping and read-back of the pages; revocation is the CPU',
             'read that faults on the entry. A THP is PMD-mapped before each conversion (checked in',
             '/proc/kpageflags); converting a page of it remaps the THP by PTEs on the patched kernel.',
             'Each mode runs one untimed warm-up round, then 8 timed rounds on fresh mappings.',
             ''] + boots_text(runs, 'exclusive') + [
             '',
             '| operation | base | patched | ratio |',
             '|---|---:|---:|---:|']
    groups = []
    for mode, key, name in rows:
        b, p = (runs.get((kind, ''), {}) for kind in ('base', 'patched'))
        fails = ['fails' if any(mode in boots[i] and 'fails' in boots[i][mode] for i in boots)
                 else None for boots in (b, p)]
        cells = [fails[j] or cell(boots, mode, key) for j, boots in enumerate((b, p))]
        r, rs = ratio_range(runs, mode, key, '')
        if fails[0] or fails[1]:
            rs = 'n/a'
        lines.append(f'| {name} | {cells[0]} | {cells[1]} | {rs} |')
        if key != 'fenced_pages' and not (fails[0] or fails[1]):
            groups.append((f'{mode} {key.split("_")[0]}', r))
    lines += error_lines(errors) + ['']
    write_md(md, lines)
    ratio_bars(groups, svg,
               'Device-exclusive access: patched / base instructions (lower is better)',
               ('patched / base',), 'instructions, patched / base', 'operation')


KVM_BACKINGS = (('anon4k', 'anonymous, 4 KiB pages (MADV_NOHUGEPAGE)'),
                ('thp', 'anonymous THP (MADV_HUGEPAGE)'),
                ('hugetlb', 'hugetlb, 2 MiB pages (MAP_HUGETLB)'),
                ('order0', 'test_pfnmap ORDER0: order-0 pages, refcounted'),
                ('noncompound', 'test_pfnmap NONCOMPOUND: order-9, not compound'),
                ('compound', 'test_pfnmap COMPOUND: compound order-9, by PTEs'),
                ('reserved', 'test_pfnmap RESERVED: as NONCOMPOUND, PG_reserved'),
                ('huge', 'test_pfnmap HUGE: compound order-9, PMD-mapped'))
KVM_OPS = (('prefault', 'KVM_PRE_FAULT_MEMORY'),
           ('touch', 'guest writes each page'),
           ('refault', 'after MADV_DONTNEED'))


def kvm_lines(lines):
    """kvm-run.sh output: kv_lines(), and the errno of a backing that
    failed ("error=BACKING:ERRNO") as the string rows[BACKING]['errno']."""
    rows = kv_lines(lines)
    names = {b for b, _ in KVM_BACKINGS}
    for line in lines:
        if line.startswith('error='):
            b, _, err = line[6:].partition(':')
            if b in names and err and ':' not in err and '-' not in err:
                rows.setdefault(b, {})['errno'] = err
    return rows


def kvm_cells(boots, backing, stats, form=fmt, sequence=True):
    """The cells of stats (one per stat, in order) of one kernel's boots for
    backing: the median over boots (min-max) where it has numbers; where
    the backing failed in a boot ("fails"), the errno for the first stat
    that boot lacks and, with sequence (stats measured one after the
    other), "not run" for those after it."""
    cells, failed = [], [i for i in boots if 'fails' in boots[i].get(backing, {})]
    missing = False
    for stat in stats:
        vals = by_boot(boots, backing, stat)
        c = med_range(list(vals.values()), form=form) if vals else None
        if failed and len(vals) < len(boots):
            errs = sorted({boots[i][backing].get('errno', 'fails') for i in failed})
            what = 'not run' if missing else '/'.join(errs)
            if len(failed) < len(boots):
                what += f' in {len(failed)} of {len(boots)} boots'
            c = f'{c}, {what}' if c else what
            missing = sequence and (missing or not vals)
        cells.append(c or 'n/a')
    return cells


def kvm_lock_rows(runs):
    """Per boot and backing, OP_read_per_fault and OP_write_per_fault from
    kvm-bench's counts of mmap_lock acquisitions (OP_mmap_lock_read,
    OP_mmap_lock_write) and the slot's faults (OP_faults) of each operation
    OP; nothing where the counts are absent (older output)."""
    for boots in runs.values():
        for rows in boots.values():
            for row in rows.values():
                for op, _ in KVM_OPS:
                    faults = row.get(f'{op}_faults')
                    if not faults:
                        continue
                    for rw in ('read', 'write'):
                        n = row.get(f'{op}_mmap_lock_{rw}')
                        if n is not None:
                            row[f'{op}_{rw}_per_fault'] = n / faults


def kvm_lock_cell(boots, backing, op, cell):
    """A per-fault cell of the mmap_lock table: the acquisitions per fault
    (cell, from kvm_cells()), with the write acquisitions' share where there
    are any (the others are read acquisitions)."""
    wr = median_of(boots, backing, f'{op}_write_per_fault')
    if not wr or not cell[:1].isdigit():
        return cell
    return f'{cell}, of which {fmt(wr)} write'


def kvm(rawdir, md, svg):
    runs, errors = parse_dir(rawdir, kvm_lines)
    kvm_lock_rows(runs)
    b, p = (runs.get((kind, ''), {}) for kind in ('base', 'patched'))
    mib = sorted({r['config']['slot_mib'] for boots in (b, p) for r in boots.values()
                  if 'slot_mib' in r.get('config', {})})
    size = '/'.join(f'{m:.0f} MiB' for m in mib) or '(size not reported)'
    lines = ['# KVM fault-in: base 6.12.117 against the patched kernel',
             '',
             'Generated by `make bench` (scripts/bench kvm, bench/kvm-bench.c, bench/kvm-run.sh):',
             'base and patched kernel, same bench config (no debugging), same initramfs, one vCPU,',
             'QEMU TCG with `-icount shift=0`: guest time advances one nanosecond per instruction, so',
             'the ns below are guest instructions (those of the bench guest\'s kernel, its KVM, and of',
             'the nested guest, whose SVM with nested paging QEMU emulates), and a ratio (patched /',
             'base) below 1.00 means fewer instructions. A program on the KVM selftest library backs',
             f'a memslot at guest physical 4 GiB with {size} of host memory at a 2 MiB aligned',
             'address, written page by page on the host first (host faults are not measured, except',
             'in "refault"), and times with CLOCK_MONOTONIC, per 4 KiB page of the slot:',
             '',
             '- prefault: a fresh VM, KVM_PRE_FAULT_MEMORY over the slot before any KVM_RUN;',
             '- touch: a fresh VM whose guest (the slot mapped by 2 MiB guest pages) writes one',
             '  word in each 4 KiB page of it; the KVM_RUN of that pass is timed, after an untimed',
             '  first run to a GUEST_SYNC (first-run costs). It includes the guest\'s own loop,',
             '  and the exit and entry of each nested page fault;',
             '- refault (anonymous and hugetlb memory only): in the touch VM, MADV_DONTNEED of the',
             '  host range (KVM drops its mappings through the MMU notifier; the patched kernel',
             '  also frees the emptied PTE tables), then the guest\'s pass again: host fault plus',
             '  KVM fault.',
             '',
             'Where KVM maps 2 MiB at a time (THP, hugetlb, test_pfnmap HUGE) one fault covers',
             '512 pages, so a figure per 4 KiB page is 1/512 of a fault plus the guest\'s writes.',
             'The test_pfnmap shapes are lib/test_pfnmap.ko\'s VM_PFNMAP memory (built out of tree',
             'from the series\' source against each kernel, the same code on both), allocated in',
             '2 MiB chunks: in all shapes but ORDER0 every page of a chunk but the first has',
             'refcount 0. Where the base kernel needs a reference on such a page it fails, with the',
             'errno shown ("not run": a case after the failure, in the same process; each backing',
             'runs in a process of its own). It needs none for a PG_reserved page (RESERVED), and',
             'HUGE\'s PMD-mapped chunks are mapped by 2 MiB on their first fault, which falls on',
             'the chunk\'s first page here (the slot is pre-faulted and written in ascending order):',
             'the base never looks at a tail page of HUGE.',
             ''] + boots_text(runs, 'kvm') + [
             '',
             '| backing | operation | base ns/page | patched ns/page | ratio |',
             '|---|---|---:|---:|---:|']
    groups = []
    for backing, name in KVM_BACKINGS:
        ops = KVM_OPS if backing in ('anon4k', 'thp', 'hugetlb') else KVM_OPS[:2]
        stats = [f'{op}_ns_per_page' for op, _ in ops]
        cells = [kvm_cells(boots, backing, stats) for boots in (b, p)]
        rat = []
        for j, (op, opname) in enumerate(ops):
            r, rs = ratio_range(runs, backing, stats[j], '')
            rows = [boots[i].get(backing, {}) for boots in (b, p) for i in boots]
            if any('fails' in row and stats[j] not in row for row in rows):
                r, rs = None, 'n/a'
            rat.append(r)
            lines.append(f'| {name if j == 0 else ""} | {op}: {opname} | {cells[0][j]} '
                         f'| {cells[1][j]} | {rs} |')
        groups.append((backing, rat[0], rat[1]))
    lines += ['',
              '## mmap_lock acquisitions per fault',
              '',
              'After its timed cases each backing runs them once more, untimed, on the same',
              'host memory (written again: no host faults) in fresh VMs, with the tracefs event',
              '`mmap_lock/mmap_lock_acquire_returned` enabled for the bench process only',
              '(`set_event_pid`: the vCPU thread, in which KVM faults the pages in) and',
              '`tracing_on` set around the `KVM_PRE_FAULT_MEMORY` or `KVM_RUN` ioctl alone',
              '(VM creation, the guest\'s warm-up run, the host\'s writes and MADV_DONTNEED are',
              'not counted). Acquisitions are the events with success=true, by read and by',
              'write, divided by the KVM faults of the slot: the rise of the VM\'s pages_4k +',
              'pages_2m over the ioctl (one fault per 4 KiB page, or per 2 MiB where KVM maps',
              '2 MiB; for touch, whose guest also faults in its page tables for the slot, the',
              'prefault\'s count). "refault" includes the host fault KVM makes through GUP.',
              'Acquisitions by other tasks on the mm (async page fault workers) are not',
              'counted. Median over the boots (min-max where they differ); all are read',
              'acquisitions unless the write ones are given.',
              '',
              '| backing | operation | faults | base acquisitions/fault | '
              'patched acquisitions/fault |',
              '|---|---|---:|---:|---:|']
    for backing, name in KVM_BACKINGS:
        ops = KVM_OPS if backing in ('anon4k', 'thp', 'hugetlb') else KVM_OPS[:2]
        stats = [f'{op}_mmap_lock_per_fault' for op, _ in ops]
        cells = [kvm_cells(boots, backing, stats) for boots in (b, p)]
        nfaults = [kvm_cells(boots, backing, [f'{op}_faults' for op, _ in ops],
                             form=fmt_int) for boots in (p, b)]
        for j, (op, _) in enumerate(ops):
            nf = next((c[j] for c in nfaults if c[j][:1].isdigit()), 'n/a')
            cb, cp = (kvm_lock_cell(boots, backing, op, c[j])
                      for boots, c in zip((b, p), cells))
            lines.append(f'| {name if j == 0 else ""} | {op} | {nf} | {cb} | {cp} |')
    lines += ['',
              '## Mapping levels after prefault',
              '',
              'The VM\'s pages_4k and pages_2m statistics after KVM_PRE_FAULT_MEMORY of the',
              'slot (only the slot is mapped then): the sizes KVM mapped the slot with. The',
              'base and the patched kernel must map the backings both can map alike.',
              '',
              '| backing | base pages_4k | base pages_2m | patched pages_4k | patched pages_2m | same |',
              '|---|---:|---:|---:|---:|---|']
    for backing, _ in KVM_BACKINGS:
        cells = [kvm_cells(boots, backing, ('pages_4k', 'pages_2m'), form=fmt_int,
                           sequence=False) for boots in (b, p)]
        levels = [{(r[backing].get('pages_4k'), r[backing].get('pages_2m'))
                   for r in boots.values() if 'pages_2m' in r.get(backing, {})}
                  for boots in (b, p)]
        same = 'n/a'
        if levels[0] and levels[1]:
            same = 'yes' if levels[0] == levels[1] and len(levels[0]) == 1 else '**no**'
        lines.append(f'| {backing} | {cells[0][0]} | {cells[0][1]} | {cells[1][0]} '
                     f'| {cells[1][1]} | {same} |')
    if any('kvm_is_zone_device_page' in e for e in errors):
        lines += ['',
                  'A kernel WARNING makes the boot\'s exit status fail ("vm-exit-status" below):',
                  '6.12.117 maps the RESERVED shape (PG_reserved pages are not refcounted for KVM),',
                  'but `kvm_is_zone_device_page()` WARNs once per boot on their refcount of 0; the',
                  'figures of such a boot are complete.']
    lines += error_lines(errors) + ['']
    write_md(md, lines)
    ratio_bars(groups, svg,
               'KVM fault-in: patched / base instructions per page '
               '(lower is better; n/a: a kernel fails)',
               ('prefault', 'touch'), 'instructions per 4 KiB page, patched / base',
               'memslot backing')


RECLAIM_SIZES = (('4k', '4 KiB'), ('64k', '64 KiB'), ('2m', '2 MiB'), ('1g', '1 GiB'))


def reclaim_lines(lines):
    """reclaim-run.sh output: {(size, threads, layout): {key: float}}."""
    rows = {}
    for line in lines:
        if line.startswith('reclaim '):
            kv = dict(p.split('=', 1) for p in line.split()[1:])
            key = (kv.pop('size'), int(kv.pop('threads')), kv.pop('layout'))
            rows[key] = {k: float(v) for k, v in kv.items()}
    return rows


def reclaim(rawdir, md, svg):
    runs, errors = parse_dir(rawdir, reclaim_lines)
    nb = len(runs.get(('base', 'bench'), {}))
    npb = len(runs.get(('patched', 'bench'), {}))
    nt = len(runs.get(('base', 'test'), {}))
    npt = len(runs.get(('patched', 'test'), {}))
    lines = ['# Page-table reclaim, the freeing path: MADV_DONTNEED that empties its tables',
             '',
             'Generated by `scripts/bench reclaim` (bench/reclaim-bench.c, bench/reclaim-run.sh;',
             'raw guest output in bench/raw/reclaim/). Each MADV_DONTNEED call leaves the',
             'PTE tables it covers empty: the patched kernel frees them, the base 6.12.117',
             'kernel keeps them. 4 KiB and 64 KiB calls: one call per table, at its start,',
             'and only the call\'s pages populated, so the call empties the table (64 tables',
             'per round). 2 MiB: one call per fully populated table (64 per round). 1 GiB:',
             'one call over 512 fully populated tables. MADV_NOHUGEPAGE, regions aligned',
             'to 2 MiB, so every table is a PTE table inside the one VMA. A round populates',
             'the region (timed apart, "populate"), then makes its calls, each timed alone.',
             '',
             'One thread: pinned to CPU 0 before exec (the mm never runs on the other',
             'vCPU), CLOCK_MONOTONIC around each call. Four threads: one process, each',
             'thread with its own region of one mapping (one VMA, one mmap_lock), each',
             'populating and DONTNEEDing its region round after round, free-running on',
             'the 2 vCPUs; each call is timed with the thread\'s CPU time, so a thread',
             'preempted by another does not count that time; with both vCPUs busy a',
             'call\'s time includes what the other vCPU executed meanwhile (one',
             'instruction clock), so compare the 4-thread figures by their ratios.',
             '',
             f'Timing: bench kernels (no debugging), QEMU TCG with `-icount shift=0`: one ns',
             'is one guest instruction. "ns/call" is the mean of all calls of a boot (it',
             'includes the work a call leaves to batching: page freeing, RCU callbacks that',
             'fall in it), the timer\'s own cost taken off; "median call" the median. Each',
             f'figure is the median over the boots ({nb} base and {npb} patched, alternating',
             'base, patched, base, ...) with the min-max over boots in brackets; a ratio is',
             'patched / base of those medians, with the min-max of the per-pair ratios',
             '(boot i against boot i). Rounds per boot: 16 for 4 KiB and 64 KiB, 4 for',
             '2 MiB, 3 for 1 GiB. With four threads the means carry the round-robin',
             'of the two vCPUs (a call may include a whole time slice of the other',
             'vCPU, tens of millions of instructions): read the medians there.',
             '',
             '## The DONTNEED call (ns/call = guest instructions per call)',
             '',
             '| call | threads | base ns/call | patched ns/call | ratio | '
             'base median call | patched median call | ratio |',
             '|---|---:|---:|---:|---:|---:|---:|---:|']
    groups = []
    for size, name in RECLAIM_SIZES:
        g = [name]
        for th in (1, 4):
            key = (size, th, 'freed')
            r, mean = triple(runs, key, 'dn_mean', 'bench')
            rm, med = triple(runs, key, 'dn_med', 'bench')
            lines.append(f'| {name} | {th} | {mean} | {med} |')
            # The chart: the mean with one thread, the median with four
            g.append(r if th == 1 else rm)
        groups.append(tuple(g))
    lines += ['',
              '## Populating, and the whole round (per call)',
              '',
              'Populate: the faults that refill what a call emptied (on the patched',
              'kernel they allocate the freed tables again). Round: populate plus the',
              'calls, with everything in between (RCU callbacks freeing the tables).',
              '',
              '| call | threads | base populate | patched populate | ratio | '
              'base round | patched round | ratio |',
              '|---|---:|---:|---:|---:|---:|---:|---:|']
    for size, name in RECLAIM_SIZES:
        for th in (1, 4):
            key = (size, th, 'freed')
            _, pop = triple(runs, key, 'pop_per_call', 'bench')
            _, cycle = triple(runs, key, 'cycle_per_call', 'bench')
            lines.append(f'| {name} | {th} | {pop} | {cycle} |')
    lines += ['',
              '## Where a small call\'s extra cost goes (one thread)',
              '',
              'The same calls with one more page kept populated in each table, so that',
              'nothing is freed: "keep-near" right after the call\'s range (the emptiness',
              'scan stops at its first entry), "keep-far" in the table\'s last entry (the',
              'scan reads all 511 other entries first). Medians over boots of ns/call.',
              'Scan = keep-far - keep-near; free = freed - keep-far (detaching the table,',
              'queueing it for the RCU free, the TLB flush with freed_tables set, and',
              'whatever of the batch freeing falls in the call).',
              '',
              '| call | base | patched keep-near | patched keep-far | patched freed | '
              'check (near - base) | scan (far - near) | free (freed - far) | '
              'total (freed - base) |',
              '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    for size, name in RECLAIM_SIZES[:2]:
        def m(kind, layout):
            return median_of(runs.get((kind, 'bench'), {}), (size, 1, layout), 'dn_mean')
        base, near, far, freed = (m('base', 'freed'), m('patched', 'keep-near'),
                                  m('patched', 'keep-far'), m('patched', 'freed'))

        def part(a, b):
            if a is None or b is None or base is None or freed is None or freed == base:
                return 'n/a'
            return f'{delta(a, b)} ({100 * (a - b) / (freed - base):.0f}%)'
        lines.append(f'| {name} | {fmt(base)} | {fmt(near)} | {fmt(far)} | {fmt(freed)} '
                     f'| {part(near, base)} | {part(far, near)} | {part(freed, far)} '
                     f'| {delta(freed, base)} |')
    lines += ['',
              '## TLB flushes per call (test kernels, CONFIG_DEBUG_TLBFLUSH)',
              '',
              f'/proc/vmstat deltas per call on the test kernels ({nt} base and {npt} patched',
              'boots, alternating, without -icount, fewer rounds): `nr_tlb_local_flush_one`',
              '(one INVLPG each), `nr_tlb_local_flush_all`, `nr_tlb_remote_flush` (a flush',
              'that IPIs other CPUs) and `nr_tlb_remote_flush_received`, and the patched',
              'kernel\'s `pt_reclaim_freed` and `pt_reclaim_busy`. One thread: counted',
              'around the calls only. Four threads: around all rounds of all threads',
              '(faults do not flush). Median over boots (min-max if they differ).',
              '',
              '| call | threads | kernel | local one | local all | remote | remote received '
              '| tables freed | busy |',
              '|---|---:|---|---:|---:|---:|---:|---:|---:|']
    for size, name in RECLAIM_SIZES:
        for th in (1, 4):
            key = (size, th, 'freed')
            for kind in ('base', 'patched'):
                cells = []
                for stat in ('tlb_local_one', 'tlb_local_all', 'tlb_remote',
                             'tlb_remote_recv', 'pt_freed', 'pt_busy'):
                    v = per_boot(runs, kind, 'test', key, stat)
                    if not v:
                        cells.append('-' if stat.startswith('pt_') else 'n/a')
                        continue
                    m = statistics.median(v)
                    c = f'{m:,.3f}'.rstrip('0').rstrip('.')
                    if min(v) != max(v):
                        c += f' ({min(v):,.3f}-{max(v):,.3f})'
                    cells.append(c)
                lines.append(f'| {name} | {th} | {kind} | ' + ' | '.join(cells) + ' |')
    lines += ['',
              'One thread: the patched kernel makes exactly the flushes of the base,',
              'table freed or not (1 or 16 INVLPGs for 4 KiB and 64 KiB calls, one',
              'flush of everything for 2 MiB, 28 for 1 GiB, one per full batch of',
              'pages). Four threads: every call IPIs the other vCPU, on both kernels;',
              'a local flush becomes a flush of everything whenever another thread\'s',
              'flush moved the mm\'s TLB generation on in between (x86 flush_tlb_func()),',
              'so the split between "one" and "all" varies from boot to boot. The',
              'four-thread counts cover the whole run, so they also hold what else the',
              'system did meanwhile: one patched boot counted 69 and 91 at 1 GiB',
              '(the others 29.5 and 27.75-29, as the base).',
              '',
              'Before "mm: free an empty PTE table with the flush it needs, not a full',
              'one" (patch 48 when measured) every freed table flushed the whole TLB:',
              '`tlb_flush_pmd_range(start, PMD_SIZE)` widened the gather to 512 pages,',
              'above `tlb_single_page_flush_ceiling` (33), so a 4 KiB or 64 KiB call that',
              'freed its table made a flush of everything instead of 1 or 16 INVLPGs',
              '(no kernel without that patch was measured here; the KUnit case',
              '`mmun_reclaim` shows that flush of everything with it reverted:',
              '`tests/base-results/kunit-mmun-reclaim-before-precise-flush.txt`).']
    lines += error_lines(errors) + ['']
    write_md(md, lines)
    ratio_bars(groups, svg,
               'DONTNEED that frees its tables: patched / base instructions per call '
               '(lower is better)',
               ('1 thread (mean)', '4 threads (median)'),
               'instructions per call, patched / base', 'MADV_DONTNEED call')


if __name__ == '__main__':
    REPORTS = {'guard': guard, 'pt-reclaim': pt_reclaim, 'mmu-notifier': mmu_notifier,
               'exclusive': exclusive, 'kvm': kvm,
               'reclaim': reclaim}
    if len(sys.argv) != 5 or sys.argv[1] not in REPORTS:
        sys.exit(__doc__.strip())
    REPORTS[sys.argv[1]](*sys.argv[2:])
