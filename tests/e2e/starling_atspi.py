"""What the end-to-end tests share: TAP output, screenshots, and reading and
driving Starling through the accessibility bus (AT-SPI)."""

import os
import subprocess
import sys
import tempfile
import time

import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, Gio, GLib  # noqa: E402

shots = os.environ.get('STARLING_SCREENSHOT_DIR', tempfile.mkdtemp())
os.makedirs(shots, exist_ok=True)
results = []

APP_ID = 'io.github.starlingchat.Starling'

# The sanitizer build (build-aux/test-session.sh) sets two variables: every
# program a test starts runs through STARLING_TEST_APP_WRAPPER (it loads the
# sanitizer runtime as that build's own tests are), and its AddressSanitizer,
# LeakSanitizer and UBSan reports go to files under STARLING_SANITIZER_LOG_DIR,
# which check_sanitizer_reports() reads: a test that started the sanitizer
# build must end with no report there.
_wrapper = os.environ.get('STARLING_TEST_APP_WRAPPER')

# STARLING_TEST_TIME_SCALE (set by the sanitizer pass only, as for the C
# tests' deadlines): every wait_for() waits that many times longer, and an
# AT-SPI call, which returns once the app has run the whole action (a press
# that opens a window), may take 30 s instead of libatspi's 800 ms (its limit
# once an app has been up for 15 s). Unset, the tests' times are as written.
TIME_SCALE = max(1.0, float(os.environ.get('STARLING_TEST_TIME_SCALE') or 1))
if TIME_SCALE > 1:
    Atspi.set_timeout(30000, int(15000 * TIME_SCALE))
_sanitizer_log_dir = os.environ.get('STARLING_SANITIZER_LOG_DIR')
_sanitizer_log_prefix = None
if _sanitizer_log_dir:
    os.makedirs(_sanitizer_log_dir, exist_ok=True)
    _sanitizer_log_prefix = os.path.join(_sanitizer_log_dir,
                                         os.path.splitext(os.path.basename(sys.argv[0]))[0])
    for _name in ('ASAN_OPTIONS', 'UBSAN_OPTIONS'):
        # Children inherit this process's environment (or a copy of it).
        os.environ[_name] = ':'.join(filter(None, (os.environ.get(_name), 'log_path=' + _sanitizer_log_prefix)))


def tap(ok, name, detail=''):
    results.append(ok)
    print(('ok' if ok else 'not ok'), len(results), '-', name, ('# ' + detail) if detail else '')
    sys.stdout.flush()


def screenshot(name):
    path = os.path.join(shots, name + '.png')
    subprocess.run(['import', '-window', 'root', path], check=False)
    print('# screenshot', path)


def wait_for(predicate, timeout=15.0, step=0.1):
    end = time.monotonic() + timeout * TIME_SCALE
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def walk(node, depth=0):
    if node is None or depth > 60:
        return
    yield node
    try:
        count = node.get_child_count()
    except Exception:
        return
    for i in range(count):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        yield from walk(child, depth + 1)


def find(root, role=None, name=None):
    """The first visible node of that role and name; role may be a tuple of
    roles, name a function that says whether a name fits."""
    for node in walk(root):
        try:
            if role is not None and node.get_role_name() not in ((role,) if isinstance(role, str) else role):
                continue
            if name is not None and not (name(node.get_name() or '') if callable(name)
                                         else node.get_name() == name):
                continue
            # GTK 4.8 reports no "showing" state; "visible" is the best it offers.
            if not node.get_state_set().contains(Atspi.StateType.VISIBLE):
                continue
            return node
        except Exception:
            continue
    return None


def find_last(root, role=None, name=None):
    """The newest chat's widget: chats stack up in creation order."""
    found = None
    for node in walk(root):
        try:
            if role is not None and node.get_role_name() != role:
                continue
            if name is not None and node.get_name() != name:
                continue
            if node.get_state_set().contains(Atspi.StateType.VISIBLE):
                found = node
        except Exception:
            continue
    return found


def all_text(root):
    texts = []
    for node in walk(root):
        try:
            text = node.get_text_iface()
            if text is None:
                continue
            if not node.get_state_set().contains(Atspi.StateType.VISIBLE):
                continue
            texts.append(text.get_text(0, text.get_character_count()))
        except Exception:
            continue
    return '\n'.join(texts)


def current_chat(app):
    """The conversation list of the newest chat (GTK 4.8 marks hidden stack pages visible too)."""
    lists = [n for n in walk(app) if n.get_name() == 'Conversation' and n.get_role_name() == 'list']
    return lists[-1] if lists else app


def sensitive(node):
    return node is not None and node.get_state_set().contains(Atspi.StateType.SENSITIVE)


def press(button):
    """Clicks a button; a menu button passes the click to the toggle inside it."""
    for node in walk(button):
        action = node.get_action_iface()
        n_actions = action.get_n_actions() if action is not None else 0
        if n_actions == 0:
            continue
        for i in range(n_actions):
            if action.get_action_name(i) in ('click', 'activate', 'press'):
                return action.do_action(i)
        return action.do_action(0)
    raise ValueError('nothing to press in ' + repr(button.get_name()))


def find_app():
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() in ('starling', 'Starling'):
            return app
    return None


def find_button(root, label):
    """A button by what it reads: GTK 4.8 names a button with a mnemonic
    after both its label and the mnemonic's text ("_Save Save")."""
    return find(root, ('push button', 'menu item', 'toggle button'),
                lambda name: name == label or name.endswith(' ' + label))


def command(binary, *args):
    """The command line that starts one of the build's programs."""
    return ([_wrapper] if _wrapper else []) + [binary] + list(args)


def quit_app(proc, timeout=60):
    """Quits Starling as a person would (its "quit" action, what Ctrl+Q does),
    so that it shuts down and, in the sanitizer build, checks for leaks at
    exit. Returns the exit status, None if it had to be killed."""
    if proc.poll() is None:
        try:
            bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
            bus.call_sync(APP_ID, '/' + APP_ID.replace('.', '/'), 'org.gtk.Actions', 'Activate',
                          GLib.Variant('(sava{sv})', ('quit', [], {})), None,
                          Gio.DBusCallFlags.NONE, 10000, None)
        except GLib.Error as error:
            print('# could not ask Starling to quit:', error.message)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def stop_server(proc, timeout=60):
    """Stops the fake server (it quits on SIGTERM); returns its exit status."""
    if proc.poll() is None:
        proc.terminate()
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def check_sanitizer_reports():
    """In the sanitizer build: one result, that no program this test started
    wrote a sanitizer report (each is printed). Nothing otherwise."""
    if _sanitizer_log_prefix is None:
        return
    base = os.path.basename(_sanitizer_log_prefix) + '.'
    reports = sorted(name for name in os.listdir(_sanitizer_log_dir) if name.startswith(base))
    for name in reports:
        print('# sanitizer report', name)
        with open(os.path.join(_sanitizer_log_dir, name), errors='replace') as f:
            for line in f:
                print('#   ' + line.rstrip())
    tap(not reports, 'no AddressSanitizer, LeakSanitizer or UBSan report', ', '.join(reports))
