#!/usr/bin/env python3
"""Counts violations of the entity-key properties in `mirsad analyze --json` output.

Usage: check.py ANALYSES.jsonl GAZETTEER_DIR

Properties (an oracle independent of the key lexicon: the raw name lists of ../shared/data/gazetteers):
  eaten letter   a mention starts after letters of its word that were cut off, and the whole word is a listed
                 name whose remainder is not ("فرانس" → "رانس");
  kept proclitic a key's first word starts with و ف ب ل ك and is not a listed name while the word without that
                 letter (or two) is ("بسوريا"), or starts with a conjunction/preposition before the article;
  currency/unit  a key whose first word is a currency or a unit of measure;
  person split   the Putin and Trump families under more than one key each; a bare "ترامب" mention keyed as
                 another member of the family.
"""
import json, re, sys, os, collections

def norm(w):
    w = re.sub('[\u064B-\u0652\u0640\u0670]', '', w)
    w = re.sub('[إأآٱ]', 'ا', w)
    return w.replace('ى', 'ي').replace('ة', 'ه')

names = set()
for f in os.listdir(sys.argv[2]):
    if f.endswith('.txt') and not f.startswith('LICENSE'):
        for line in open(os.path.join(sys.argv[2], f), encoding='utf-8'):
            names.update(norm(w) for w in line.split())

CURRENCY = {norm(w) for w in 'دولار دولارات يورو جنيه جنيهات ريال ريالات دينار دنانير درهم دراهم ليره ليرات روبل روبيه ين يوان استرليني كيلومتر كيلومترات كيلوغرام كيلوغرامات متر مترات امتار طن اطنان برميل براميل ميل ميلا لتر هكتار'.split()}
PROCLITIC = 'وفبلك'

def rest_is_name(w):
    outs = [w[1:]]
    if w[0] in 'وف' and len(w) > 2 and w[1] in 'بلك': outs.append(w[2:])
    return any(len(r) >= 2 and r in names for r in outs)

counts = collections.Counter()
examples = collections.defaultdict(list)
person_keys = collections.defaultdict(set)
articles = 0
for line in open(sys.argv[1], encoding='utf-8'):
    rec = json.loads(line)
    a = rec['analysis']
    articles += 1
    text = a['cleanText'].encode('utf-8')
    for m in a['entities']:
        counts['mentions'] += 1
        start = m['span']['start']
        k = start
        while k > 0 and text[k - 1:k] not in (b' ', b'\n', b'(', b'"', b'\xc2\xab'[1:]) and not text[k-1:k].isspace():
            k -= 1
        cut = text[k:start].decode('utf-8', 'replace')
        first = m['text'].split()[0] if m['text'].split() else ''
        if cut and re.fullmatch('[\u0621-\u064A\u064B-\u0652\u0640]+', cut):
            whole = norm(cut + first)
            if whole in names and norm(first) not in names:
                counts['eaten letter'] += 1
                examples['eaten letter'].append(cut + first)
        key = m['canonical']
        w = key.split()[0] if key else ''
        if len(w) >= 3 and w[0] in PROCLITIC:
            if re.match('^[وف]?[بكل]?ال..', w) and w[0] != 'ا' and w not in names or (w not in names and rest_is_name(w)):
                counts['kept proclitic'] += 1
                examples['kept proclitic'].append(key)
        fw = re.sub('^ال', '', w)
        adjectives_only = all(x.endswith('ي') or x.endswith('يه') for x in key.split()[1:])
        if (w in CURRENCY or fw in CURRENCY) and adjectives_only:
            counts['currency/unit'] += 1
            examples['currency/unit'].append(key)
        if m['type'] == 'PERS':
            if re.search(r'(^| )بوت[ي]?ن$', key): person_keys['putin'].add(key)
            if key.endswith('ترامب'):
                person_keys['trump'].add(key)
                if norm(m['text']) == 'ترامب' and key != 'دونالد ترامب' and key != 'ترامب':
                    counts['bare Trump keyed as another person'] += 1
                    examples['bare Trump keyed as another person'].append(key)
                if key == 'ترامب': counts['bare Trump as its own key'] += 1
print(f"articles {articles}, entity mentions {counts['mentions']}")
for name in ['eaten letter', 'kept proclitic', 'currency/unit', 'bare Trump keyed as another person', 'bare Trump as its own key']:
    ex = collections.Counter(examples[name]).most_common(6)
    print(f"{name}: {counts[name]}  " + ', '.join(f'{e} ({n})' for e, n in ex))
print('Putin keys:', sorted(person_keys['putin']))
print('Trump keys:', sorted(person_keys['trump']))
