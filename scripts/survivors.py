import json,glob,sys
for f in sorted(glob.glob('/work/main/reports/mutation/files/*.json')):
    if 'incremental' in f: continue
    r=json.load(open(f))
    for file,d in r['files'].items():
        if len(sys.argv)>1 and not any(a in file for a in sys.argv[1:]): continue
        src=d['source'].split('\n')
        for m in d['mutants']:
            if m['status'] in ('Survived','NoCoverage'):
                l=m['location']['start']['line']
                print(f"{file}:{l}:{m['mutatorName']} [{m['status']}] {m.get('replacement','')[:70]!r}  | {src[l-1].strip()[:120]}")
