#!/usr/bin/python3
"""Secret hygiene, end to end: a whole session with every debug message on
(G_MESSAGES_DEBUG=all), driven through the accessibility bus as a person
would. The key is typed into the setup dialog, then the person chats, opens
the request inspector, exports the conversation, and the app is killed in the
middle of an answer and started again. Then the logs, the data, config and
cache folders, GSettings (a keyfile here), the export and the URLs of every
request are searched for the key: none may hold it.

Usage: test-secrets.py STARLING_BINARY FAKE_GEMINI_BINARY
Needs DISPLAY, a D-Bus session with a keyring, and the accessibility bus
(build-aux/test-session.sh)."""

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

from starling_atspi import (Atspi, all_text, check_sanitizer_reports, command, current_chat, find,
                            find_app, find_button, find_last, press, quit_app, results, screenshot,
                            stop_server, tap, wait_for, walk)

starling_bin, fake_bin = sys.argv[1], sys.argv[2]

# Unlikely anywhere by chance, and typed once, in the setup dialog.
KEY = 'sk-hygiene-' + os.urandom(8).hex()
ANSWER = ('Blue light is scattered more than red by the air. '
          + ' '.join(f'part{i}' for i in range(120)) + ' Done.')

work = tempfile.mkdtemp(prefix='starling-secrets-')
dirs = {name: os.path.join(work, name) for name in ('data', 'config', 'cache', 'logs', 'export')}
for path in dirs.values():
    os.makedirs(path)

fake_log = open(os.path.join(dirs['logs'], 'fake-gemini.log'), 'w')
fake = subprocess.Popen(command(fake_bin, '--port', '0', '--key', KEY,
                                '--route', 'gemini-2.5-flash=text=' + ANSWER + ';delay_ms=120'),
                        stdout=subprocess.PIPE, stderr=fake_log, text=True)
base_url = fake.stdout.readline().strip().split(' ')[-1]
print('# fake server at', base_url)

env = dict(os.environ)
for name in ('STARLING_API_KEY', 'GEMINI_API_KEY', 'COMETAPI_KEY', 'G_DEBUG'):
    env.pop(name, None)
env.update({
    'GTK_A11Y': 'atspi',
    'G_MESSAGES_DEBUG': 'all',
    'STARLING_BASE_URL': base_url,
    'XDG_DATA_HOME': dirs['data'],
    'XDG_CONFIG_HOME': dirs['config'],
    'XDG_CACHE_HOME': dirs['cache'],
    'GSETTINGS_BACKEND': 'keyfile',
})
runs = []
quit_statuses = []
CONTROL_L, KEY_A = 37, 38   # X key codes


def start_app():
    log = open(os.path.join(dirs['logs'], f'starling-{len(runs) + 1}.log'), 'w')
    proc = subprocess.Popen(command(starling_bin), env=env, stdout=log, stderr=subprocess.STDOUT)
    runs.append(proc)
    app = wait_for(lambda: find_app(), 20)
    return proc, app


def stop_app(proc, sig=None):
    """Quits the app as a person would, or sends it @sig."""
    if sig is None:
        quit_statuses.append(quit_app(proc))
    else:
        proc.send_signal(sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    # The accessibility bus forgets the app a little later.
    wait_for(lambda: find_app() is None, 10)


def type_into(node, text):
    node.get_editable_text_iface().insert_text(0, text, len(text))
    time.sleep(0.3)


def type_keys(text, select_all=False):
    """Types on the keyboard (through the AT-SPI registry), into the focus."""
    if select_all:
        Atspi.generate_keyboard_event(CONTROL_L, None, Atspi.KeySynthType.PRESS)
        Atspi.generate_keyboard_event(KEY_A, None, Atspi.KeySynthType.PRESSRELEASE)
        Atspi.generate_keyboard_event(CONTROL_L, None, Atspi.KeySynthType.RELEASE)
    Atspi.generate_keyboard_event(0, text, Atspi.KeySynthType.STRING)
    time.sleep(0.5)


def send_prompt(app, prompt):
    press(wait_for(lambda: find(app, 'push button', 'New Chat'), 10))
    time.sleep(0.5)
    message = wait_for(lambda: find_last(app, None, 'Message'), 10)
    type_into(message, prompt)
    press(find_last(app, 'push button', 'Send'))


def find_text(root, needle):
    return needle in all_text(root)


try:
    # 1. The key, typed into the first-run setup.
    proc, app = start_app()
    tap(app is not None, 'Starling starts without a key and appears on the accessibility bus')
    if app is None:
        raise SystemExit(1)
    press(wait_for(lambda: find_button(app, 'Add API Key…'), 10))
    key_entry = wait_for(lambda: find(app, None, 'API Key'), 10)
    tap(key_entry is not None, 'the setup dialog asks for the API key')
    # The entry row itself, or the password text inside it.
    editable = next((n for n in walk(key_entry) if n.get_editable_text_iface() is not None),
                    key_entry)
    type_into(editable, KEY)
    screenshot('secrets-1-setup')
    press(wait_for(lambda: find_button(app, 'Save'), 5))
    tap(wait_for(lambda: find_button(app, 'New Chat') is not None
                 or find(app, None, 'Start a Chat') is not None, 10),
        'after Save the window offers to start a chat')

    # 2. A chat.
    send_prompt(app, 'Why is the sky blue?')
    tap(wait_for(lambda: find_text(current_chat(app), 'part119 Done.'), 40),
        'the answer streams in with the key from the keyring')

    # 3. The request inspector.
    press(find_last(app, 'push button', 'More Actions'))
    inspect = wait_for(lambda: find_button(app, 'Inspect Request'), 5)
    tap(inspect is not None, 'the answer\'s menu offers "Inspect Request"')
    if inspect is not None:
        press(inspect)
    inspector = wait_for(lambda: next((n for n in walk(app) if n.get_role_name() == 'frame'
                                       and 'Request' in (n.get_name() or '')), None), 10)
    shown = all_text(inspector) if inspector is not None else ''
    tap('Why is the sky blue?' in shown, 'the inspector shows the request that was sent')
    tap(KEY not in shown, 'the inspector does not show the key')
    screenshot('secrets-2-inspector')
    if inspector is not None:
        close = find_button(inspector, 'Close')
        if close is not None:
            press(close)
        time.sleep(0.5)

    # 4. Export, through the file chooser.
    export_path = os.path.join(dirs['export'], 'sky.md')
    press(find(app, 'push button', 'Main Menu'))
    item = wait_for(lambda: find_button(app, 'Export This Conversation…'), 5)
    tap(item is not None, 'the main menu offers "Export This Conversation…"')
    if item is not None:
        press(item)
    # GTK 4.8's file chooser does not put its name field on the accessibility
    # bus: the person types into it, where the focus is, as at a keyboard.
    chooser = wait_for(lambda: find_button(app, 'Export'), 10)
    tap(chooser is not None, 'a file chooser asks where to export')
    time.sleep(1.0)
    type_keys(export_path, select_all=True)
    screenshot('secrets-3-export')
    if chooser is not None:
        press(chooser)
    tap(wait_for(lambda: os.path.exists(export_path)
                 and 'Why is the sky blue?' in open(export_path, errors='replace').read(), 10),
        'the conversation is exported to the file chosen')
    stop_app(proc)

    # 5. A crash in the middle of an answer, and the next start.
    proc, app = start_app()
    send_prompt(app, 'Tell me about the sky again')
    tap(wait_for(lambda: find_text(current_chat(app), 'part5 '), 30), 'a second answer streams')
    screenshot('secrets-4-before-kill')
    stop_app(proc, signal.SIGKILL)
    proc, app = start_app()
    tap(app is not None, 'Starling starts again after being killed')
    time.sleep(2)
    screenshot('secrets-5-after-restart')
    stop_app(proc)
finally:
    for proc in runs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stop_server(fake)
    fake_log.close()

# What Starling kept: the interrupted answer is in the history.
db = os.path.join(dirs['data'], 'starling', 'history.db')
kept = ''
if os.path.exists(db):
    with sqlite3.connect(db) as conn:
        # (the full-text index's own table needs Starling's tokenizer: its shadow tables are read)
        for table, in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                   "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"):
            columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                try:
                    for value, in conn.execute(f'SELECT "{column}" FROM "{table}"'):
                        if isinstance(value, str):
                            kept += value + '\n'
                except sqlite3.Error:
                    pass
tap('Blue light is scattered' in kept and 'Tell me about the sky again' in kept,
    'the history holds both prompts and the answers, the killed one too')

# The search: every file of the session, the logs first.
logs = [os.path.join(dirs['logs'], name) for name in sorted(os.listdir(dirs['logs']))]
app_logs = ''.join(open(path, errors='replace').read() for path in logs if 'starling-' in path)
tap('DEBUG' in app_logs and len(runs) == 3, 'the three runs logged their debug messages',
    f'{len(app_logs)} bytes')

request_lines = [line for line in open(os.path.join(dirs['logs'], 'fake-gemini.log'))
                 if line.startswith('fake-gemini: ')]
tap(len(request_lines) >= 2, 'the fake server saw the requests', f'{len(request_lines)} requests')
tap(not any(KEY in line for line in request_lines), 'no request URL holds the key')

keyfile = os.path.join(dirs['config'], 'glib-2.0', 'settings', 'keyfile')
tap(os.path.exists(keyfile), 'GSettings were written (keyfile backend)')
gsettings = subprocess.run(['gsettings', 'list-recursively', 'io.github.starlingchat.Starling'],
                           env=env, capture_output=True, text=True).stdout
tap('base-url' in gsettings and KEY not in gsettings, 'no GSettings key holds the key')

hits, n_files = [], 0
for folder in ('data', 'config', 'cache', 'logs', 'export'):
    for top, _, names in os.walk(dirs[folder]):
        for name in names:
            path = os.path.join(top, name)
            if os.path.islink(path):
                continue
            n_files += 1
            with open(path, 'rb') as f:
                if KEY.encode() in f.read():
                    hits.append(os.path.relpath(path, work))
print('# files searched:', n_files)
tap(n_files >= 6 and not hits, 'no log, data, config, cache or export file holds the key',
    ', '.join(hits))

tap(len(quit_statuses) == 2 and quit_statuses == [0, 0], 'each run asked to quit ended with status 0',
    f'{quit_statuses}')
check_sanitizer_reports()

print(f'1..{len(results)}')
sys.exit(0 if results and all(results) else 1)
