#!/usr/bin/env python3
"""Turn the guest output of a benchmark into a results table with ratios.

usage: bench-report.py guard|pt-reclaim|mmu-notifier BASE.txt PATCHED.txt OUT.md OUT.svg
       bench-report.py reclaim RAWDIR OUT.md OUT.svg
"""
import glob
import os
import statistics
import sys


def parse(path):
    rows = {}
    extra = {}
    with open(path, errors='replace') as f:
        for line in f:
            line = line.strip()
            if not line.startswith('mode=') and '=' in line and ' ' not in line:
                k, v = line.split('=', 1)
                extra[k] = v
                continue
            if not line.startswith('mode='):
                continue
            kv = dict(p.split('=', 1) for p in line.split() if '=' in p)
            rows[(kv['mode'], int(kv['regions']))] = kv
    return rows, extra


def num(row, key):
    if row is None or key not in row:
        return None
    return float(row[key])


def fmt(v, unit=''):
    if v is None:
        return 'n/a'
    if v >= 100:
        return f'{v:,.0f}{unit}'
    return f'{v:.2f}{unit}'


def div(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def ratio(a, b):
    r = div(a, b)
    if r is None:
        return 'n/a'
    return f'{r:.2f}'


def delta(a, b):
    """a - b with its sign, formatted like fmt()."""
    if a is None or b is None:
        return 'n/a'
    return ('-' if a < b else '+') + fmt(abs(a - b))


def svg_open(w, h, title):
    """The start of a chart: the svg element and its title."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            'font-family="sans-serif" font-size="12">',
            f'<text x="{w / 2}" y="18" text-anchor="middle" font-size="14">{title}</text>']


def svg_close(out, names, colors, x0, step, y, path):
    """Add a legend (a swatch and a name per series) and write the chart."""
    for si, name in enumerate(names):
        out.append(f'<rect x="{x0 + si * step}" y="{y - 9}" width="10" height="10" '
                   f'fill="{colors[si % len(colors)]}"/>')
        out.append(f'<text x="{x0 + si * step + 14}" y="{y}">{name}</text>')
    out.append('</svg>')
    with open(path, 'w') as f:
        f.write('\n'.join(out) + '\n')


def svg_chart(series, sizes, path, title='Guard setup time per region (ns, lower is better)',
              unit='regions'):
    """Grouped bars of setup ns per region, one group per region count."""
    w, h, left, bottom, top = 720, 320, 70, 40, 30
    vals = [v for s in series for v in s[2] if v is not None]
    vmax = max(vals) if vals else 1
    colors = ['#888888', '#3366cc', '#33aa55']
    gw = (w - left - 20) / len(sizes)
    bw = gw / (len(series) + 1)
    out = svg_open(w, h, title)
    for i in range(5):
        y = h - bottom - (h - bottom - top) * i / 4
        out.append(f'<line x1="{left}" y1="{y}" x2="{w - 20}" y2="{y}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 5}" y="{y + 4}" text-anchor="end">'
                   f'{vmax * i / 4:,.0f}</text>')
    for gi, n in enumerate(sizes):
        x0 = left + gi * gw + bw / 2
        for si, (name, _, values) in enumerate(series):
            v = values[gi]
            if v is None:
                continue
            bh = (h - bottom - top) * v / vmax
            x = x0 + si * bw
            out.append(f'<rect x="{x:.1f}" y="{h - bottom - bh:.1f}" width="{bw * 0.9:.1f}" '
                       f'height="{bh:.1f}" fill="{colors[si % 3]}"/>')
        out.append(f'<text x="{left + gi * gw + gw / 2:.1f}" y="{h - bottom + 16}" '
                   f'text-anchor="middle">{n:,} {unit}</text>')
    svg_close(out, [name for name, _, _ in series], colors, left, 210, h - 5, path)


def guard_rows(base, patched, sizes, prefix, row_line, lines):
    """One table row per region count and way (base PROT_NONE, patched
    PROT_NONE, MADV_GUARD_INSTALL, process_madvise), against base PROT_NONE;
    returns the setup times of each way for the chart."""
    ways = [('base', 'protnone', 'base: PROT_NONE'),
            ('patched', 'protnone', 'patched: PROT_NONE'),
            ('patched', 'madvise', 'patched: MADV_GUARD_INSTALL'),
            ('patched', 'process_madvise', 'patched: process_madvise batch')]
    series = {w[2]: [] for w in ways}
    for n in sizes:
        ref = base.get((prefix + 'protnone', n))
        for kind, mode, name in ways:
            row = (base if kind == 'base' else patched).get((prefix + mode, n))
            series[name].append(num(row, 'setup_ns_per_region'))
            if row is not None:
                lines.append(row_line(n, name, row, ref))
    return series


def guard(base_path, patched_path, md, svg):
    base, bextra = parse(base_path)
    patched, _ = parse(patched_path)
    guard_arena(base, patched, bextra, md.replace('.md', '-arena.md'),
                svg.replace('.svg', '-arena.svg'))
    sizes = sorted({n for (m, n) in list(base) + list(patched)
                    if not m.startswith('arena_')})
    lines = ['# Guard regions: PROT_NONE guards on the base kernel against guard markers',
             '',
             'Generated by `make bench` (scripts/bench): base 6.12.117 and the patched',
             'kernel, same bench config (no debugging), same initramfs, one run each,',
             'QEMU TCG with `-icount` (guest time follows the instruction count).',
             'Each region is 16 pages with one guard page at its low end, regions',
             'separated by an unmapped page so that none can merge; "touch" writes one',
             'page above each guard. Times are medians of 3 runs (1 run at 50,000).',
             'Ratios are patched / base PROT_NONE: below 1 is better.',
             '']
    if 'default_max_map_count' in bextra:
        lines += [f'The default vm.max_map_count is {bextra["default_max_map_count"]}: '
                  'at 2 VMAs per region, PROT_NONE guards run out of VMAs near '
                  f'{int(bextra["default_max_map_count"]) // 2:,} regions, so the '
                  'benchmark raises the limit to 262,144 for every kernel.', '']
    lines += ['| regions | way | VMAs per region | setup ns/region | ratio | '
              'teardown ns/region | ratio | touch ns/region | VmPTE kB |',
              '|---:|---|---:|---:|---:|---:|---:|---:|---:|']
    def row_line(n, name, row, ref):
        if 'unsupported' in row or 'failed' in row:
            return f'| {n:,} | {name} | {row.get("failed", "unsupported")} | | | | | | |'
        return (f'| {n:,} | {name} | {fmt(num(row, "vmas_per_region"))} '
                f'| {fmt(num(row, "setup_ns_per_region"))} '
                f'| {ratio(num(row, "setup_ns_per_region"), num(ref, "setup_ns_per_region"))} '
                f'| {fmt(num(row, "teardown_ns_per_region"))} '
                f'| {ratio(num(row, "teardown_ns_per_region"), num(ref, "teardown_ns_per_region"))} '
                f'| {fmt(num(row, "touch_ns_per_region"))} '
                f'| {fmt(num(row, "vmpte_kb"))} |')
    series = guard_rows(base, patched, sizes, '', row_line, lines)
    lines.append('')
    write_md(md, lines)
    svg_chart([(n, None, v) for n, v in series.items() if n != 'patched: PROT_NONE'],
              sizes, svg)


def guard_arena(base, patched, bextra, md, svg):
    """The allocator's layout: one arena, a guard page per slot."""
    sizes = sorted({n for (m, n) in list(base) + list(patched) if m.startswith('arena_')})
    if not sizes:
        return
    limit = bextra.get('arena_max_map_count', '65530')
    lines = ['# Guard regions in one arena: PROT_NONE against guard markers',
             '',
             'Generated by `make bench` (scripts/bench, `guard-bench arena`): base 6.12.117',
             'and the patched kernel, same bench config (no debugging), same initramfs,',
             'one boot each, QEMU TCG with `-icount` (guest time follows the instruction',
             'count). One mmap() of N slots of 4 pages, a one-page guard at the low end',
             'of every slot, made with mprotect(PROT_NONE) per guard, MADV_GUARD_INSTALL',
             'per guard, or all of them through process_madvise() on ourselves, 1,024',
             'ranges per call; teardown is one munmap() of the arena. Times are medians',
             'of 3 runs up to 10,000 slots, one run above. vm.max_map_count is the',
             f'default, {int(limit):,}. "x faster" is base PROT_NONE / this way.',
             '',
             '| slots | way | VMAs | setup ns/guard | x faster | teardown ns/guard '
             '| x faster | VmPTE kB |',
             '|---:|---|---:|---:|---:|---:|---:|---:|']
    def row_line(n, name, row, ref):
        if 'failed' in row:
            return (f'| {n:,} | {name} | fails: vm.max_map_count at slot '
                    f'{int(row["at_region"]):,} | | | | | |')
        if 'unsupported' in row:
            return f'| {n:,} | {name} | unsupported | | | | | |'
        return (f'| {n:,} | {name} | {int(num(row, "vmas")):,} '
                f'| {fmt(num(row, "setup_ns_per_region"))} '
                f'| {ratio(num(ref, "setup_ns_per_region"), num(row, "setup_ns_per_region"))} '
                f'| {fmt(num(row, "teardown_ns_per_region"))} '
                f'| {ratio(num(ref, "teardown_ns_per_region"), num(row, "teardown_ns_per_region"))} '
                f'| {int(num(row, "vmpte_kb")):,} |')
    series = guard_rows(base, patched, sizes, 'arena_', row_line, lines)
    lines.append('')
    write_md(md, lines)
    svg_chart([(n, None, v) for n, v in series.items() if n != 'patched: PROT_NONE'],
              sizes, svg, 'Guard setup time per guard in one arena (ns, lower is better)',
              'slots')


def parse_kv(path):
    """pt-reclaim-run.sh, mmu-notifier-run.sh output: "mode.key value" lines."""
    vals = {}
    with open(path, errors='replace') as f:
        for line in f:
            parts = line.strip().split()
            if len(parts) == 2 and '.' in parts[0]:
                try:
                    vals[parts[0]] = float(parts[1])
                except ValueError:
                    pass
    return vals


def bars_svg(title, groups, path, names=('base', 'patched'),
             colors=('#888888', '#3366cc'), valfmt='{:,.0f}', scale=None, ref=None,
             legend_step=120):
    """Pairs of bars (names) per group, each group on its own scale unless a
    common one (scale: the value at the top) is given; ref draws a dashed
    line at that value of the common scale."""
    w, h, left, bottom, top = 720, 300, 30, 60, 40
    gw = (w - left - 20) / max(len(groups), 1)
    out = svg_open(w, h, title)
    if ref is not None and scale:
        y = h - bottom - (h - bottom - top) * ref / scale
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - 20}" y2="{y:.1f}" '
                   'stroke="#999" stroke-dasharray="4,3"/>')
        out.append(f'<text x="{w - 20}" y="{y - 3:.1f}" text-anchor="end" '
                   f'font-size="10">{valfmt.format(ref)}</text>')
    for gi, (label, b, p) in enumerate(groups):
        vmax = scale or max(v for v in (b, p, 1e-9) if v is not None)
        for si, v in enumerate((b, p)):
            if v is None:
                continue
            bh = (h - bottom - top) * v / vmax
            x = left + gi * gw + gw * (0.2 + 0.3 * si)
            out.append(f'<rect x="{x:.1f}" y="{h - bottom - bh:.1f}" width="{gw * 0.28:.1f}" '
                       f'height="{bh:.1f}" fill="{colors[si]}"/>')
            out.append(f'<text x="{x + gw * 0.14:.1f}" y="{h - bottom - bh - 4:.1f}" '
                       f'text-anchor="middle" font-size="10">{valfmt.format(v)}</text>')
        out.append(f'<text x="{left + gi * gw + gw / 2:.1f}" y="{h - bottom + 16}" '
                   f'text-anchor="middle">{label}</text>')
    svg_close(out, names, colors, left, legend_step, h - 9, path)


def write_md(md, lines):
    """Write a results table (and print it)."""
    with open(md, 'w') as f:
        f.write('\n'.join(lines))
    print('\n'.join(lines))


def ratio_bars(groups, svg, title, names):
    """Two bars per group of patched / base ratios, 1.00 marked."""
    vals = [v for g in groups for v in g[1:] if v is not None]
    bars_svg(title, groups, svg, names=names, colors=('#3366cc', '#33aa55'),
             valfmt='{:.2f}', scale=max(vals + [1.0]) * 1.15, ref=1.0,
             legend_step=160)


def pt_reclaim(base_path, patched_path, md, svg):
    b, p = parse_kv(base_path), parse_kv(patched_path)

    def g(d, k):
        return d.get(k)

    lines = ['# Page-table reclaim: base 6.12.117 against the patched kernel',
             '',
             'Generated by `make bench` (scripts/bench pt-reclaim, bench/pt-reclaim-bench.c):',
             'base and patched kernel, same bench config (no debugging, CONFIG_PT_RECLAIM=y',
             'on the patched one), same initramfs, one run each, QEMU TCG with `-icount`',
             '(guest time follows the instruction count, so times measure path length).',
             '',
             '## VmPTE (kB, lower is better)',
             '',
             '| workload | base before | base after | patched before | patched after | '
             'patched after / before |',
             '|---|---:|---:|---:|---:|---:|']
    for mode, name in (('reference', 'reference: 50 GiB, 25,600 x (touch 2 MiB, '
                        'MADV_DONTNEED 2 MiB)'),
                       ('allocator', 'allocator: 1 GiB freed in shuffled 4-64 KiB '
                        'MADV_DONTNEEDs')):
        bb, ba = g(b, mode + '.vmpte_before_kb'), g(b, mode + '.vmpte_after_kb')
        pb, pa = g(p, mode + '.vmpte_before_kb'), g(p, mode + '.vmpte_after_kb')
        pct = f'{100 * pa / pb:.2f}%' if pa is not None and pb else 'n/a'
        base0 = g(p, mode + '.vmpte_baseline_kb')
        if base0 is not None and pa is not None and pb and pb > base0:
            pct += f' ({100 * (pa - base0) / (pb - base0):.2f}% of the mapping\'s own)'
        lines.append(f'| {name} | {fmt(bb)} | {fmt(ba)} | {fmt(pb)} | {fmt(pa)} | {pct} |')
    lines += ['',
              'The published reference for the 50 GiB workload is 102,640 kB before and',
              '240 kB after. "Before" and "after" include the process\'s own page tables',
              '(about 40 kB: program, stack, and the upper levels over the mapping); the',
              'share in brackets counts only what the mapping added.',
              '',
              '## Throughput where nothing is reclaimable (ratio patched / base; '
              'below 1 is faster)',
              '',
              '| benchmark | base | patched | ratio |',
              '|---|---:|---:|---:|']
    for key, name in (('dontneed.ns_per_op', 'MADV_DONTNEED of one 4 KiB page per '
                       'populated table, then re-touch (ns/op)'),
                      ('fault.ns_per_fault', 'page fault, 256 MiB touched then '
                       'unmapped (ns/fault)')):
        lines.append(f'| {name} | {fmt(g(b, key))} | {fmt(g(p, key))} | '
                     f'{ratio(g(p, key), g(b, key))} |')
    extra = [k for k in sorted(p) if '.pt_reclaim_' in k]
    if extra:
        lines += ['', 'Reclaim counters on the patched kernel (/proc/vmstat deltas per '
                  'workload):', '']
        lines += [f'- `{k}`: {p[k]:,.0f}' for k in extra]
    lines.append('')
    write_md(md, lines)
    bars_svg('VmPTE after the workload (kB, lower is better)',
             [('reference 50 GiB', g(b, 'reference.vmpte_after_kb'),
               g(p, 'reference.vmpte_after_kb')),
              ('allocator 1 GiB', g(b, 'allocator.vmpte_after_kb'),
               g(p, 'allocator.vmpte_after_kb'))], svg)


def guest_errors(path):
    """The "error=..." lines of a run script's output."""
    with open(path, errors='replace') as f:
        return [line.strip()[6:] for line in f if line.startswith('error=')]


def mmu_notifier(base_path, patched_path, md, svg):
    b, p = parse_kv(base_path), parse_kv(patched_path)
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
             'initramfs, one boot each with one vCPU,',
             'QEMU TCG with `-icount shift=0`: guest time advances one nanosecond '
             'per instruction, so',
             'the ns/op below are guest instructions per op, and a ratio '
             '(patched / base) below 1.00',
             'means fewer instructions. Each mode runs one untimed warm-up round '
             'first.',
             '',
             '"No notifier": nothing has registered an MMU notifier since boot (on '
             'the patched kernel',
             'the hooks\' static key is still off). "test_hmm": the same runs, '
             'later in the same boot,',
             'with /dev/hmm_dmirror0 of lib/test_hmm.ko open, whose interval '
             'notifier covers the whole',
             'address space of the process. Cost per invalidation = test_hmm ns/op '
             '- no-notifier ns/op',
             'on the same kernel: a munmap, mprotect or dontneed op makes one '
             'invalidation (its pages',
             'lie in one page table); a fault makes none, so that row shows what '
             'the hooks cost a',
             'fault path once a notifier is registered.',
             '',
             '| operation | base ns/op, no notifier | patched ns/op, no notifier '
             '| ratio | base ns/op, test_hmm | patched ns/op, test_hmm | ratio '
             '| cost per invalidation, base | cost per invalidation, patched |',
             '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    groups = []
    for mode, name in ops:
        bn, pn = b.get(f'none.{mode}.ns_per_op'), p.get(f'none.{mode}.ns_per_op')
        bh, ph = b.get(f'hmm.{mode}.ns_per_op'), p.get(f'hmm.{mode}.ns_per_op')
        lines.append(f'| {name} | {fmt(bn)} | {fmt(pn)} | {ratio(pn, bn)} '
                     f'| {fmt(bh)} | {fmt(ph)} | {ratio(ph, bh)} '
                     f'| {delta(bh, bn)} | {delta(ph, pn)} |')
        groups.append((mode, div(pn, bn), div(ph, bh)))
    for kind, path in (('base', base_path), ('patched', patched_path)):
        errs = guest_errors(path)
        if errs:
            lines += ['', f'Errors reported on the {kind} kernel:', '']
            lines += [f'- `{e}`' for e in errs]
    lines.append('')
    write_md(md, lines)
    ratio_bars(groups, svg,
               'Patched / base instructions per op (1.00 = same, lower is better)',
               ('no notifier', 'test_hmm notifier'))


RECLAIM_SIZES = (('4k', '4 KiB'), ('64k', '64 KiB'), ('2m', '2 MiB'), ('1g', '1 GiB'))


def parse_reclaim_dir(rawdir):
    """RAWDIR/KIND-CONFIG-BOOT.txt, reclaim-run.sh output: {(kind, cfg):
    {boot: {(size, threads, layout): {key: float}}}} and the error lines."""
    runs, errors = {}, []
    for path in sorted(glob.glob(os.path.join(rawdir, '*-*-*.txt'))):
        kind, cfg, boot = os.path.basename(path)[:-4].split('-')
        rows = runs.setdefault((kind, cfg), {}).setdefault(int(boot), {})
        with open(path, errors='replace') as f:
            for line in f:
                line = line.strip()
                if line.startswith('error='):
                    errors.append(f'{kind}-{cfg}-{boot}: {line[6:]}')
                if not line.startswith('reclaim '):
                    continue
                kv = dict(p.split('=', 1) for p in line.split()[1:])
                key = (kv.pop('size'), int(kv.pop('threads')), kv.pop('layout'))
                rows[key] = {k: float(v) for k, v in kv.items()}
    return runs, errors


def per_boot(runs, kind, cfg, key, stat):
    """The values of stat for key, one per boot, in boot order."""
    boots = runs.get((kind, cfg), {})
    return [boots[b][key][stat] for b in sorted(boots)
            if key in boots[b] and stat in boots[b][key]]


def med_range(vals, unit=''):
    """"median (min-max)" of per-boot values."""
    if not vals:
        return 'n/a'
    m = statistics.median(vals)
    if len(vals) == 1 or min(vals) == max(vals):
        return fmt(m, unit)
    return f'{fmt(m, unit)} ({fmt(min(vals))}-{fmt(max(vals))})'


def ratio_range(runs, key, stat):
    """Ratio of the medians, with the min-max of the per-pair ratios (boot i
    of the patched kernel against boot i of the base)."""
    b = per_boot(runs, 'base', 'bench', key, stat)
    p = per_boot(runs, 'patched', 'bench', key, stat)
    if not b or not p:
        return None, 'n/a'
    r = statistics.median(p) / statistics.median(b)
    pairs = [y / x for x, y in zip(b, p) if x]
    if len(pairs) > 1:
        return r, f'{r:.3f} ({min(pairs):.3f}-{max(pairs):.3f})'
    return r, f'{r:.3f}'


def reclaim(rawdir, md, svg):
    runs, errors = parse_reclaim_dir(rawdir)
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
            r, rs = ratio_range(runs, key, 'dn_mean')
            rm, rms = ratio_range(runs, key, 'dn_med')
            lines.append(
                f'| {name} | {th} '
                f'| {med_range(per_boot(runs, "base", "bench", key, "dn_mean"))} '
                f'| {med_range(per_boot(runs, "patched", "bench", key, "dn_mean"))} '
                f'| {rs} '
                f'| {med_range(per_boot(runs, "base", "bench", key, "dn_med"))} '
                f'| {med_range(per_boot(runs, "patched", "bench", key, "dn_med"))} '
                f'| {rms} |')
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
            _, rp = ratio_range(runs, key, 'pop_per_call')
            _, rc = ratio_range(runs, key, 'cycle_per_call')
            lines.append(
                f'| {name} | {th} '
                f'| {med_range(per_boot(runs, "base", "bench", key, "pop_per_call"))} '
                f'| {med_range(per_boot(runs, "patched", "bench", key, "pop_per_call"))} '
                f'| {rp} '
                f'| {med_range(per_boot(runs, "base", "bench", key, "cycle_per_call"))} '
                f'| {med_range(per_boot(runs, "patched", "bench", key, "cycle_per_call"))} '
                f'| {rc} |')
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
            v = per_boot(runs, kind, 'bench', (size, 1, layout), 'dn_mean')
            return statistics.median(v) if v else None
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
    if errors:
        lines += ['', 'Errors reported:', '']
        lines += [f'- `{e}`' for e in errors]
    lines.append('')
    write_md(md, lines)
    ratio_bars(groups, svg,
               'DONTNEED that frees its tables: patched / base instructions per call',
               ('1 thread (mean)', '4 threads (median)'))


if __name__ == '__main__':
    if sys.argv[1] == 'reclaim':
        reclaim(*sys.argv[2:5])
        sys.exit(0)
    if sys.argv[1] == 'guard':
        guard(*sys.argv[2:6])
    elif sys.argv[1] == 'pt-reclaim':
        pt_reclaim(*sys.argv[2:6])
    elif sys.argv[1] == 'mmu-notifier':
        mmu_notifier(*sys.argv[2:6])
    else:
        sys.exit('unknown benchmark ' + sys.argv[1])
