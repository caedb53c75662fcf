#!/usr/bin/env python3
"""Scores quotes, speakers and named sources of `mirsad analyze --json` output against the gold set.

Usage: score.py GOLD.jsonl NAMED_SOURCES.jsonl ANALYSES.jsonl

A gold quote is found when a quote of the analysis (not yet matched, in text order) contains its snippet; its
speaker is right when the found quote's speaker, or the key of its speaker entity, contains one of the accepted
forms (all compared normalised: no marks, one alef, ه for ة, ي for ى, no punctuation). A named source is found
when a named attribution of the article contains, or is contained in, one of its accepted forms.
Figures are printed per split: "tune" and "test" to "test4" (the articles the rules were adjusted on), "test5"
(never looked at while adjusting), then "tuned" (the first five together) and "held-out" (test5). `-v` lists the
misses of the tuning splits; `-v --held-out` lists test5's too (reading them makes test5 tuning material).
"""
import json, re, sys, collections

def norm(s):
    s = re.sub('[\u064B-\u0652\u0640\u0670]', '', s or '')
    s = re.sub('[إأآٱ]', 'ا', s).replace('ى', 'ي').replace('ة', 'ه')
    s = re.sub(r'[^\w\s]|_', ' ', s)
    return ' '.join(s.split())

gold = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]
named = [json.loads(l) for l in open(sys.argv[2], encoding='utf-8')]
analyses = {}
for line in open(sys.argv[3], encoding='utf-8'):
    rec = json.loads(line)
    analyses[rec['id']] = rec['analysis']

stats = collections.defaultdict(collections.Counter)
used = collections.defaultdict(set)
misses = []
for g in gold:
    s = stats[g['split']]
    s['quotes'] += 1
    a = analyses.get(g['id'])
    if a is None:
        continue
    snippet = norm(g['quote'])
    match = None
    for i, q in enumerate(a['quotes']):
        if i not in used[g['id']] and snippet in norm(q['text']):
            match = (i, q)
            break
    if match is None:
        misses.append(('not found', g['split'], g['id'], g['quote'], '/'.join(g['speaker']), ''))
        continue
    used[g['id']].add(match[0])
    s['found'] += 1
    q = match[1]
    said = norm(q.get('speaker')) + ' | ' + norm(q.get('speakerEntity'))
    if any(norm(form) and norm(form) in said for form in g['speaker']):
        s['right speaker'] += 1
    else:
        misses.append(('wrong speaker', g['split'], g['id'], g['quote'], '/'.join(g['speaker']), q.get('speaker') or '-'))

for n in named:
    s = stats[n['split']]
    s['named sources'] += 1
    a = analyses.get(n['id'])
    if a is None:
        continue
    found = [norm(x['text']) for x in a['sources'] if x['kind'] == 'named']
    if any(f and (norm(form) in f or f in norm(form)) for f in found for form in n['source']):
        s['named found'] += 1
    else:
        misses.append(('named source missed', n['split'], n['id'], '/'.join(n['source']), '', ', '.join(found)))

TUNED = ('tune', 'test', 'test2', 'test3', 'test4')
if '-v' in sys.argv:
    for m in misses:
        if m[1] in TUNED or '--held-out' in sys.argv:
            print('\t'.join(m))
splits = list(dict.fromkeys(['tune', 'test'] + [g['split'] for g in gold]))
held_out = [split for split in splits if split not in TUNED]
stats['tuned'] = sum((stats[split] for split in TUNED), collections.Counter())
splits.append('tuned')
if held_out:
    stats['held-out'] = sum((stats[split] for split in held_out), collections.Counter())
    splits.append('held-out')
for split in splits:
    s = stats[split]
    found, total = s['found'], s['quotes']
    print(f"{split}: quotes found {found}/{total} ({100 * found / max(total, 1):.1f}%), "
          f"right speaker {s['right speaker']}/{found} ({100 * s['right speaker'] / max(found, 1):.1f}% of found), "
          f"named sources found {s['named found']}/{s['named sources']}")
