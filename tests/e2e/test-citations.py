#!/usr/bin/python3
"""End-to-end: a grounded answer streams in with its citation markers, and a
click with the mouse on the marker [1] (through the AT-SPI registry, as a
person's click) opens the popover with that source and the sentences it
supports. Screenshots go to $STARLING_SCREENSHOT_DIR.

Usage: test-citations.py STARLING_BINARY FAKE_GEMINI_BINARY
Needs DISPLAY, a D-Bus session and the accessibility bus (build-aux/test-session.sh)."""

import os
import subprocess
import sys
import tempfile
import time

from starling_atspi import (Atspi, all_text, check_sanitizer_reports, command, current_chat, find,
                            find_app, find_last, press, quit_app, results, screenshot, stop_server, tap,
                            wait_for, walk)

starling_bin, fake_bin = sys.argv[1], sys.argv[2]
RECORDING = 'generative-ai-js/streaming-success-search-grounding.txt'

env = dict(os.environ)
fake = subprocess.Popen(command(fake_bin, '--port', '0', '--quiet', '--corpus', env['STARLING_CORPUS_DIR'],
                                '--route', 'gemini-2.5-flash=replay=' + RECORDING + ';delay_ms=50'),
                        stdout=subprocess.PIPE, text=True, env=env)
base_url = fake.stdout.readline().strip().split(' ')[-1]
env.update({
    'GTK_A11Y': 'atspi',
    'STARLING_BASE_URL': base_url,
    'STARLING_API_KEY': 'test-key',
    'XDG_DATA_HOME': tempfile.mkdtemp(),
    'XDG_CONFIG_HOME': tempfile.mkdtemp(),
    'XDG_CACHE_HOME': tempfile.mkdtemp(),
    'GSETTINGS_BACKEND': 'memory',
})
env.pop('G_DEBUG', None)
app_proc = subprocess.Popen(command(starling_bin), env=env)


def marker_node(root, marker):
    for node in walk(root):
        text = node.get_text_iface()
        if text is None:
            continue
        content = text.get_text(0, text.get_character_count())
        if marker in content:
            return node, content
    return None, ''


try:
    app = wait_for(find_app, 30)
    tap(app is not None, 'the app appears on the accessibility bus')
    if app is None:
        raise SystemExit(1)
    press(wait_for(lambda: find(app, 'push button', 'New Chat'), 10))
    time.sleep(0.5)
    message = wait_for(lambda: find_last(app, None, 'Message'), 10)
    message.get_editable_text_iface().insert_text(0, 'Google stock price?', len('Google stock price?'))
    time.sleep(0.3)
    press(find_last(app, 'push button', 'Send'))

    tap(wait_for(lambda: 'Sources' in all_text(current_chat(app)), 20),
        'the grounded answer arrives with its Sources')
    time.sleep(1.0)
    node, content = marker_node(current_chat(app), '[1]')
    at = content.find('[1]')
    tap(node is not None and content[:at].endswith('for Alphabet Inc.'),
        'the marker [1] follows the sentence its source supports', repr(content[max(0, at - 40):at + 3]))
    screenshot('citations-1-answer')

    def background(offset):
        attributes = node.get_text_iface().get_attribute_run(offset, False)[0]
        return dict(attributes or {}).get('bg-color')

    if node is not None:
        # The window's coordinates: the window sits at the origin of the virtual screen.
        box = node.get_text_iface().get_character_extents(at + 1, Atspi.CoordType.WINDOW)
        sentence = content.rfind('The current stock price for Alphabet Inc.', 0, at)
        plain = background(sentence)
        # Hovering the marker highlights the sentence it stands for, and no more.
        Atspi.generate_mouse_event(box.x + box.width // 2, box.y + box.height // 2, 'abs')
        highlighted = wait_for(lambda: background(sentence) != plain and background(sentence), 5)
        print('# background before', plain, 'while hovering', highlighted)
        tap(bool(highlighted) and background(at - 1) == highlighted and background(at + 4) == plain,
            'hovering [1] highlights the sentence it follows, and only that')
        time.sleep(1.0)
        screenshot('citations-2-hover')
        Atspi.generate_mouse_event(box.x + box.width // 2, box.y + box.height // 2, 'b1c')
    shown = wait_for(lambda: 'Source 1' in all_text(app) and all_text(app), 10) or ''
    tap('Source 1' in shown and 'test_title_1' in shown, 'a click on [1] shows its source')
    tap('The current stock price for Alphabet Inc.' in shown and '69% confident' in shown,
        'the popover quotes the sentences it supports, with the confidence')
    screenshot('citations-3-popover')
finally:
    status = quit_app(app_proc)
    tap(status == 0, 'Starling quits when asked, with status 0', f'status {status}')
    stop_server(fake)
    check_sanitizer_reports()

print(f'1..{len(results)}')
sys.exit(0 if results and all(results) else 1)
