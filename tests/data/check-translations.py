#!/usr/bin/env python3
"""Fails when po/it.po lacks a translation of a current string, has a fuzzy
one, or when a source file with translatable strings is missing from
po/POTFILES.in."""

import os
import re
import subprocess
import sys
import tempfile

top = sys.argv[1]
failures = []

with open(os.path.join(top, 'po', 'POTFILES.in')) as f:
    listed = [l.strip() for l in f if l.strip() and not l.startswith('#')]

for path in listed:
    if not os.path.exists(os.path.join(top, path)):
        failures.append(f'POTFILES.in names a missing file: {path}')

marker = re.compile(r'\b(?:N?_|C_|NC_|g_dngettext|ngettext)\s*\(\s*"|translatable="yes"')
for folder in ('src', 'data'):
    for root, _, files in os.walk(os.path.join(top, folder)):
        for name in files:
            if not name.endswith(('.c', '.h', '.ui', '.in', '.xml')):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, top)
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
            if marker.search(text) and rel not in listed:
                failures.append(f'{rel} has translatable strings but is not in po/POTFILES.in')

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, 'starling.pot')
    subprocess.run(['xgettext', '--from-code=UTF-8', '--add-comments', '--keyword=_',
                    '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
                    '--keyword=g_dngettext:2,3', '--keyword=ngettext:1,2',
                    '-o', pot, '-D', top] + listed, check=True)
    merged = os.path.join(tmp, 'it.po')
    subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged,
                    os.path.join(top, 'po', 'it.po'), pot], check=True)
    stats = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, merged],
                           capture_output=True, text=True)
    if stats.returncode != 0:
        failures.append('msgfmt --check failed: ' + stats.stderr.strip())
    summary = stats.stderr.strip()
    print('# it.po against the current sources:', summary)
    if 'untranslated' in summary or 'fuzzy' in summary:
        untranslated = subprocess.run(['msgattrib', '--untranslated', '--no-obsolete', merged],
                                      capture_output=True, text=True).stdout
        fuzzy = subprocess.run(['msgattrib', '--only-fuzzy', '--no-obsolete', merged],
                               capture_output=True, text=True).stdout
        failures.append('Italian translation incomplete: ' + summary + '\n' + untranslated + fuzzy)

for failure in failures:
    print('FAIL:', failure)
sys.exit(1 if failures else 0)
