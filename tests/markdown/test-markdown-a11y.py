#!/usr/bin/python3
"""The Markdown view read through the accessibility bus (AT-SPI), as a screen
reader would: every block exposes its text, the code block and its copy
button have names. Screenshots go to $STARLING_SCREENSHOT_DIR.

Usage: test-markdown-a11y.py DEMO_BINARY
Needs DISPLAY, a D-Bus session and the accessibility bus (build-aux/test-session.sh)."""

import os
import subprocess
import sys
import time
import warnings

# TAP output, waits, walking the accessibility tree and the sanitizer pass's
# wrapper and reports are shared with the end-to-end tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'e2e'))
from starling_atspi import (Atspi, check_sanitizer_reports, command, results, screenshot,  # noqa: E402
                            tap, wait_for, walk)

warnings.filterwarnings('ignore', category=DeprecationWarning)

demo_bin = sys.argv[1]


def texts(root):
    found = []
    for node in walk(root):
        try:
            text = node.get_text_iface()
            if text is not None:
                found.append(text.get_text(0, text.get_character_count()))
        except Exception:
            continue
    return found


def find(root, role=None, name=None):
    for node in walk(root):
        try:
            if role is not None and node.get_role_name() != role:
                continue
            if name is not None and node.get_name() != name:
                continue
            return node
        except Exception:
            continue
    return None


def click_text(root, containing, word):
    """Clicks the middle of the first character of @word in the first text
    that holds @containing (GTK 4.8 gives window coordinates; under Xvfb,
    without a window manager, the window sits at the origin)."""
    for node in walk(root):
        try:
            text = node.get_text_iface()
            if text is None:
                continue
            content = text.get_text(0, text.get_character_count())
            if containing not in content:
                continue
            offset = len(content[:content.index(containing) + containing.index(word)])
            try:
                box = text.get_character_extents(offset, Atspi.CoordType.WINDOW)
                x, y = box.x + max(box.width // 2, 1), box.y + box.height // 2
            except Exception:
                # GTK 4.8 labels have no character extents: the label's left end
                box = node.get_component_iface().get_extents(Atspi.CoordType.WINDOW)
                x, y = box.x + min(8, box.width // 2), box.y + box.height // 2
            Atspi.generate_mouse_event(x, y, 'b1c')
            time.sleep(0.5)
            return True
        except Exception as error:
            print('# could not click:', error)
            return False
    return False


def find_app():
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == 'starling-markdown-demo':
            return app
    return None


env = dict(os.environ)
env['GTK_A11Y'] = 'atspi'
env.pop('G_DEBUG', None)
demo = subprocess.Popen(command(demo_bin), env=env, stdout=subprocess.PIPE, text=True)

try:
    # (a first GL window under Xvfb can take seconds on a loaded machine)
    app = wait_for(find_app, 40)
    tap(app is not None, 'the demo appears on the accessibility bus')
    if app is None:
        raise SystemExit(1)

    done = wait_for(lambda: any('The streamed end.' in t for t in texts(app)), 20)
    tap(done, 'the streamed text can be read')
    everything = '\n'.join(texts(app))
    for expected in ('Markdown over AT-SPI', 'Some bold text, slanted, inline code and a link or another.',
                     '\u2022\tfirst item', '\u2611\tnested task', 'A quoted line.',
                     "print('streamed')", 'Cell A', '1.5', 'Cell B', '22'):
        tap(expected in everything, 'reads "%s"' % expected.replace('\t', ' '))
    tap(find(app, 'push button', 'Copy Code') is not None, 'the code block has a "Copy Code" button')
    tap(find(app, None, 'python code block') is not None, 'the code block is named after its language')
    tap(find(app, None, 'Table') is not None, 'the table is named')

    # Clicks: the demo prints the links it is asked to open. The last
    # heights settle in idle time after the text is complete.
    time.sleep(1.0)
    clicked = [click_text(app, 'a link or another', 'link'),
               click_text(app, 'a link or another', 'another'),
               click_text(app, 'Some bold', 'bold'),
               click_text(app, 'docs', 'docs')]
    tap(all(clicked), 'links can be clicked')

    time.sleep(0.5)  # the last frames (text views validate their height in idle)
    screenshot('markdown-demo')
finally:
    # SIGTERM closes the demo's window: it quits as an app does.
    demo.terminate()
    try:
        output = demo.communicate(timeout=90)[0]
    except subprocess.TimeoutExpired:
        demo.kill()
        output = demo.communicate()[0]

tap(demo.returncode == 0, 'the demo quits when asked, with status 0', 'status %s' % demo.returncode)
check_sanitizer_reports()

activated = [line.split(' ', 1)[1] for line in output.splitlines() if line.startswith('activated ')]
print('# activated:', activated)
if not activated:
    print('# (mouse events need the AT-SPI registry daemon, as build-aux/test-session.sh starts it)')
tap(activated == ['https://example.com/a', 'https://example.org/docs'],
    'only http, https and mailto links open, in text and in tables')

print('1..%d' % len(results))
sys.exit(0 if all(results) else 1)
