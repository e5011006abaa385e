"""What the end-to-end tests share: TAP output, screenshots, and reading and
driving Starling through the accessibility bus (AT-SPI)."""

import os
import subprocess
import sys
import tempfile
import time

import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi  # noqa: E402

shots = os.environ.get('STARLING_SCREENSHOT_DIR', tempfile.mkdtemp())
os.makedirs(shots, exist_ok=True)
results = []


def tap(ok, name, detail=''):
    results.append(ok)
    print(('ok' if ok else 'not ok'), len(results), '-', name, ('# ' + detail) if detail else '')
    sys.stdout.flush()


def screenshot(name):
    path = os.path.join(shots, name + '.png')
    subprocess.run(['import', '-window', 'root', path], check=False)
    print('# screenshot', path)


def wait_for(predicate, timeout=15.0, step=0.1):
    end = time.monotonic() + timeout
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
