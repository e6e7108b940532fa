#!/usr/bin/env python3
"""Summarises bench/run.sh raw results: medians per (scale, group, tool), the
ratio of each pgshuttle row to each peer of its group, and, for the groups
with goals (issue texts), whether the goal is met."""
import json, statistics, sys
from collections import defaultdict

plot = sys.argv[1] == '--plot-data'
out = sys.argv[-1]
rows = [json.loads(l) for l in open(f'{out}/raw.jsonl') if l.strip()]
med = defaultdict(dict)
for key in sorted({(r['scale'], r['group'], r['tool']) for r in rows}):
    rs = [r for r in rows if (r['scale'], r['group'], r['tool']) == key]
    med[key[:2]][key[2]] = {m: statistics.median(r[m] for r in rs) for m in ('wall_s', 'cpu_s', 'max_rss_mb')}
    med[key[:2]][key[2]]['reps'] = len(rs)

if plot:
    tools = sorted({t for v in med.values() for t in v})
    print('scale ' + ' '.join(tools))
    for scale in sorted({k[0] for k in med}):
        vals = []
        for t in tools:
            v = [m[t]['wall_s'] for (s, g), m in med.items() if s == scale and t in m]
            vals.append(f'{v[0]:.2f}' if v else '?')
        print(scale, ' '.join(vals))
    sys.exit(0)

# group -> (main pgshuttle tool, peer group, peer, wall ratio goal, peak RSS
# goal in MB or None). verify's peer is the copy group's pgcopydb clone of the
# same data in the same run (issue 7).
GOALS = {
    'backup': ('pgshuttle-backup', 'backup', 'dump-file-aws-cp', 0.6, None),
    'restore': ('pgshuttle-restore-url', 'restore', 'curl-pg-restore-j', 0.6, 64),
    'copy': ('pgshuttle-copy', 'copy', 'pgcopydb-clone', 0.6, 64),
    'verify': ('pgshuttle-verify', 'copy', 'pgcopydb-clone', 0.35, None),
}

summary = []
print(f"{'scale':>5} {'group':<8} {'tool':<30} {'wall s':>8} {'cpu s':>8} {'RSS MB':>8}  ratios (wall) to peers")
for (scale, group), tools in sorted(med.items()):
    peers = {t: v for t, v in tools.items() if not t.startswith('pgshuttle')}
    for tool, v in sorted(tools.items()):
        ratios = ''
        if tool.startswith('pgshuttle'):
            ratios = '  '.join(f"{v['wall_s'] / p['wall_s']:.2f}x {pt}" for pt, p in peers.items() if p['wall_s'] > 0)
        print(f"{scale:>5} {group:<8} {tool:<30} {v['wall_s']:>8.2f} {v['cpu_s']:>8.2f} {v['max_rss_mb']:>8.1f}  {ratios}")
        summary.append({'scale': scale, 'group': group, 'tool': tool, **v,
                        'ratios': {pt: v['wall_s'] / p['wall_s'] for pt, p in peers.items() if p['wall_s'] > 0}
                                  if tool.startswith('pgshuttle') else {}})
goals = []
for (scale, group), tools in sorted(med.items()):
    if group not in GOALS:
        continue
    tool, peer_group, peer, ratio_goal, rss_goal = GOALS[group]
    peers = med.get((scale, peer_group), {})
    if tool not in tools or peer not in peers:
        continue
    ratio = tools[tool]['wall_s'] / peers[peer]['wall_s'] if peers[peer]['wall_s'] > 0 else float('inf')
    rss = tools[tool]['max_rss_mb']
    line = f"{scale:>5} {group:<8} {tool} / {peer}: {ratio:.2f}x (goal <= {ratio_goal}x: {'met' if ratio <= ratio_goal else 'NOT met'})"
    line += f", peak RSS {rss:.1f} MB vs {peers[peer]['max_rss_mb']:.1f} MB"
    if rss_goal:
        line += f" (goal < {rss_goal} MB: {'met' if rss < rss_goal else 'NOT met'})"
    goals.append(line)
if goals:
    print('\ngoals')
    print('\n'.join(goals))
json.dump(summary, open(f'{out}/results.json', 'w'), indent=2)
