#!/usr/bin/python3
"""End-to-end: drives the real Starling through the accessibility bus (AT-SPI)
as a person would: New Chat, type into "Message", press "Send", read the
streamed answer, stop a slow one; leave a message unsent, quit, start again
and find it. Screenshots go to $STARLING_SCREENSHOT_DIR.

Usage: test-e2e.py STARLING_BINARY FAKE_GEMINI_BINARY
Needs DISPLAY, a D-Bus session and the accessibility bus (build-aux/test-session.sh)."""

import os
import subprocess
import sys
import tempfile
import time

from starling_atspi import (Atspi, all_text, check_sanitizer_reports, command, current_chat,  # noqa: F401
                            find, find_app, find_last, press, quit_app, results, screenshot, sensitive,
                            stop_server, tap, wait_for, walk, TIME_SCALE)

starling_bin, fake_bin = sys.argv[1], sys.argv[2]

env = dict(os.environ)
ANSWER = ('Hello from the fake server: the sky is blue because air scatters blue light more than red. '
          + ' '.join(f'word{i}' for i in range(300)) + ' The end.')
# The answer streams slowly enough to be stopped; as slowly again as the app
# is slowed (under a sanitizer), or it would end before Stop is pressed.
DELAY_MS = int(300 * TIME_SCALE)
DRAFT = 'And what colour is the sky on Mars?'
fake = subprocess.Popen(command(fake_bin, '--port', '0', '--quiet',
                                '--route', f'gemini-2.5-flash=text={ANSWER};delay_ms={DELAY_MS}'),
                        stdout=subprocess.PIPE, text=True, env=env)
line = fake.stdout.readline().strip()
base_url = line.split(' ')[-1]
print('# fake server at', base_url)

data_home = tempfile.mkdtemp()
env.update({
    'GTK_A11Y': 'atspi',
    'STARLING_BASE_URL': base_url,
    'STARLING_API_KEY': 'test-key',
    'XDG_DATA_HOME': data_home,
    'XDG_CONFIG_HOME': tempfile.mkdtemp(),
    'XDG_CACHE_HOME': tempfile.mkdtemp(),
    'GSETTINGS_BACKEND': 'memory',
})
env.pop('G_DEBUG', None)
app_proc = subprocess.Popen(command(starling_bin), env=env)

try:
    app = wait_for(find_app, 20)
    tap(app is not None, 'the app appears on the accessibility bus')
    if app is None:
        raise SystemExit(1)

    new_chat = wait_for(lambda: find(app, 'push button', 'New Chat'), 10)
    tap(new_chat is not None, 'a "New Chat" button is showing')
    press(new_chat)

    message = wait_for(lambda: find(app, None, 'Message'), 10)
    tap(message is not None, 'the composer "Message" is showing')
    send = find(app, 'push button', 'Send')
    tap(send is not None, 'the "Send" button is showing')

    editable = message.get_editable_text_iface()
    editable.insert_text(0, 'Why is the sky blue?', len('Why is the sky blue?'))
    time.sleep(0.3)
    screenshot('e2e-1-typed')
    press(send)

    first = wait_for(lambda: 'air scatters blue light more than red.' in all_text(current_chat(app)), 20)
    tap(bool(first), 'the first words of the answer show while it streams')
    stop = find_last(app, 'push button', 'Stop')
    tap(sensitive(stop) and 'The end.' not in all_text(current_chat(app)), 'a "Stop" button works while the answer streams')
    screenshot('e2e-2-streaming')
    answer = wait_for(lambda: 'word299 The end.' in all_text(current_chat(app)), 60)
    tap(bool(answer), 'the whole streamed answer can be read through AT-SPI')
    tap('Why is the sky blue?' in all_text(current_chat(app)), 'the question stays in the conversation')
    tap(wait_for(lambda: not sensitive(find_last(app, 'push button', 'Stop')), 5), '"Stop" is off once the answer is complete')
    screenshot('e2e-3-answered')

    # A slow answer, stopped with the "Stop" button: what arrived stays.
    new_chat = find(app, 'push button', 'New Chat')
    press(new_chat)
    time.sleep(0.5)
    message = wait_for(lambda: find_last(app, None, 'Message'), 10)
    message.get_editable_text_iface().insert_text(0, 'Again, please', len('Again, please'))
    time.sleep(0.3)
    press(find_last(app, 'push button', 'Send'))
    wait_for(lambda: 'air scatters blue light' in all_text(current_chat(app)), 20)
    stop = wait_for(lambda: sensitive(find_last(app, 'push button', 'Stop')) and find_last(app, 'push button', 'Stop'), 10)
    tap(bool(stop), 'the second answer streams with a "Stop" button')
    if stop:
        press(stop)
        stopped = wait_for(lambda: 'You stopped this answer.' in all_text(current_chat(app)), 10)
        tap(bool(stopped), 'a stopped answer says so')
        chat = all_text(current_chat(app))
        tap('air scatters blue light' in chat and 'The end.' not in chat,
            'what arrived before Stop stays on screen')
    screenshot('e2e-4-stopped')

    # Something typed and not sent, then Starling quits: nothing is lost.
    press(find(app, 'push button', 'New Chat'))
    time.sleep(0.5)
    message = wait_for(lambda: find_last(app, None, 'Message'), 10)
    message.get_editable_text_iface().insert_text(0, DRAFT, len(DRAFT))
    time.sleep(0.3)
finally:
    status = quit_app(app_proc)
    tap(status == 0, 'Starling quits when asked, with status 0', f'status {status}')

try:
    app_proc = subprocess.Popen(command(starling_bin), env=env)
    app = wait_for(find_app, 20)
    tap(app is not None, 'Starling starts again on the same history')
    if app is None:
        raise SystemExit(1)
    row = wait_for(lambda: find(app, None, 'Draft: ' + DRAFT), 10)
    tap(row is not None, 'the conversation list shows the unsent message as a draft')
    screenshot('e2e-5-draft-listed')
    if row is not None:
        # Clicked as a person would: in the middle of the line.
        extents = row.get_extents(Atspi.CoordType.WINDOW)
        Atspi.generate_mouse_event(extents.x + extents.width // 2, extents.y + extents.height // 2, 'b1c')
        message = wait_for(lambda: find_last(app, None, 'Message'), 10)
        typed = wait_for(lambda: message is not None and message.get_text_iface().get_text(0, -1) == DRAFT, 10)
        tap(bool(typed), 'opened, the chat has the draft back in "Message", ready to send')
        screenshot('e2e-6-draft-restored')
finally:
    status = quit_app(app_proc)
    tap(status == 0, 'Starling quits again with status 0', f'status {status}')
    stop_server(fake)
    check_sanitizer_reports()

print(f'1..{len(results)}')
sys.exit(0 if results and all(results) else 1)
