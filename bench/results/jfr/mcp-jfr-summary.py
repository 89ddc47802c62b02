#!/usr/bin/env python3
# Summary of a JFR recording of McpLatencyBench: python3 mcp-jfr-summary.py <(jfr print --stack-depth 128 --events jdk.ExecutionSample rec.jfr) GovernedTools AREA-REGEX...
# Window: from the first to the last sample with the marker (second argument) on the stack; inclusive share per area regex,
# the first non-JDK frame of each sample (exclusive), and the sampled threads.
import re,sys,collections
text=open(sys.argv[1]).read(); marker=sys.argv[2]
evs=text.split('jdk.ExecutionSample {')[1:]
def when(ev):
    m=re.search(r'startTime = (\d+):(\d+):(\d+\.\d+)',ev); return int(m.group(1))*3600+int(m.group(2))*60+float(m.group(3)) if m else None
marks=[when(e) for e in evs if marker in e]; t0,t1=min(marks),max(marks)
evs=[e for e in evs if when(e) and t0<=when(e)<=t1]
print('window',t1-t0,'s samples',len(evs))
areas=sys.argv[3:]
on=collections.Counter(); excl=collections.Counter(); thr=collections.Counter()
for ev in evs:
    m=re.search(r'stackTrace = \[(.*?)\n\s*\]',ev,re.S)
    if not m: continue
    fr=[l.strip() for l in m.group(1).strip().split('\n') if l.strip() and l.strip()!='...']
    st='\n'.join(fr)
    t=re.search(r'sampledThread = "([^"]*)"',ev); thr[re.sub(r'\d+','N',t.group(1)) if t else '?']+=1
    for a in areas:
        if re.search(a,st): on[a]+=1
    # exclusive: first non-jdk frame package (3 components)
    for f in fr:
        if not re.match(r'(java|jdk|sun)\.',f):
            excl['.'.join(f.split('.')[:3])]+=1; break
    else: excl['JDK-only:'+'.'.join(fr[0].split('.')[:3])]+=1
n=len(evs)
print('--inclusive'); [print(f'{100*on[a]/n:5.1f}% {a}') for a in areas]
print('--exclusive first non-JDK frame'); [print(f'{100*c/n:5.1f}% {k}') for k,c in excl.most_common(25)]
print('--threads'); [print(f'{100*c/n:5.1f}% {k}') for k,c in thr.most_common(15)]
