#!/usr/bin/env python3
"""The Flatpak manifest parses, names the app id and command, keeps its
sandbox narrow and pins md4c to a checksummed release."""

import json
import sys

path, app_id = sys.argv[1], sys.argv[2]
with open(path) as f:
    manifest = json.load(f)

errors = []
if manifest.get('id', manifest.get('app-id')) != app_id:
    errors.append('id is not ' + app_id)
if manifest.get('command') != 'starling':
    errors.append('command is not starling')
if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
    errors.append('runtime must be org.gnome.Platform with org.gnome.Sdk')
allowed = {'--share=network', '--share=ipc', '--socket=wayland', '--socket=fallback-x11', '--device=dri'}
extra = set(manifest.get('finish-args', [])) - allowed
if extra:
    errors.append('finish-args beyond the allowed set: ' + ', '.join(sorted(extra)))
modules = {m['name']: m for m in manifest.get('modules', []) if isinstance(m, dict)}
md4c = modules.get('md4c')
if md4c is None:
    errors.append('no md4c module')
else:
    sources = md4c.get('sources', [])
    if not any(s.get('type') == 'archive' and len(s.get('sha256', '')) == 64 for s in sources):
        errors.append('md4c must come from a release archive with a sha256')
if 'starling' not in modules:
    errors.append('no starling module')

for e in errors:
    print('FAIL:', e)
print('# manifest', 'ok' if not errors else 'has errors')
sys.exit(1 if errors else 0)
