#!/usr/bin/env python3
"""Lists the articles of sample-500 that the gold set's selection rule admits, in file order.

Usage: select.py [SAMPLE_500.jsonl] [GOLD.jsonl]

Rule: an article is admitted when its text is under 4,000 characters and has at least 6 speech-verb words. A
speech-verb word is a word whose normalised form (as in score.py: no marks, one alef, ه for ة, ي for ى), with
one leading و or ف removed or not, is in SpeechCues.arabicVerbs as it stood when the gold set was made (commit
e3c3b7e, copied below so that later changes to the list do not move the selection).

Each line: position in the file, id, characters, speech-verb words, and the gold split of the article if any.
The last line checks the rule against the first 17 articles (tune and test).
"""
import json, os, re, sys

VERBS = """
قال قالت يقول تقول اكد اكدت يؤكد تؤكد اوضح اوضحت يوضح توضح اشار اشارت يشير تشير اضاف اضافت يضيف تضيف
صرح صرحت يصرح ذكر ذكرت يذكر تذكر افاد افادت يفيد تفيد اعلن اعلنت يعلن تعلن شدد شددت يشدد تشدد كشف كشفت
يكشف اعتبر اعتبرت يعتبر تعتبر راي رات يري تري لفت لفتت يلفت اوردت اورد نقل نقلت تابع تابعت حذر حذرت
يحذر تحذر نفي نفت ينفي اعرب اعربت زعم زعمت ادعي ادعت قالوا اكدوا اشاروا اوضحوا اضافوا ذكروا افادوا يرون
اعلنوا
"""


def norm(s):
    s = re.sub('[\u064B-\u0652\u0640\u0670]', '', s or '')
    return re.sub('[إأآٱ]', 'ا', s).replace('ى', 'ي').replace('ة', 'ه')


verbs = {norm(w) for w in VERBS.split()}


def speech_verbs(text):
    return sum(1 for w in re.findall(r'\w+', norm(text)) if w in verbs or (w[:1] in 'وف' and w[1:] in verbs))


here = os.path.dirname(os.path.abspath(__file__))
sample = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '../../../shared/corpus/ant/sample-500.jsonl')
gold_path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, 'gold.jsonl')
split = {}
for line in open(gold_path, encoding='utf-8'):
    g = json.loads(line)
    split.setdefault(g['id'], g['split'])

admitted = []
for i, line in enumerate(open(sample, encoding='utf-8')):
    a = json.loads(line)
    n = speech_verbs(a['text'])
    if len(a['text']) < 4000 and n >= 6:
        admitted.append(a['id'])
        print(i, a['id'], len(a['text']), n, split.get(a['id'], '-'), sep='\t')

first = [i for i in split if split[i] in ('tune', 'test')]
taken = [i for i in admitted if i in first]
skipped = [i for i in admitted[:admitted.index(first[-1]) + 1] if i not in first] if first[-1] in admitted else []
print(f"first 17: {len(taken)}/{len(first)} admitted, in the same order: {taken == first}; "
      f"{len(skipped)} other admitted articles before the last of them were not taken")
