#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""make layers: the README's "may use" table, checked on includes and calls.

  check.py OBJDIR TABLE

TABLE holds one line per library folder, `FOLDER: USED...` (make
print-layers writes it).  Fails, naming file and line, when
  - a file includes a header of a folder its own may not use, or a private
    header (*_internal.h, *-int.h) of another folder (tests/ excepted);
  - an object calls (nm: undefined against defined) into a folder its own
    may not use;
  - source files form an import cycle: a set of files each reaching the
    others through calls (a .c on the .c defining what it calls) and
    includes (a file on the headers it includes).
  - a source file does not open with its SPDX line and, for a .c, a
    comment saying its job;
  - a file calls realloc() by hand where the growth helper may be used:
    arrays grow through DT_GROW (convert/util/grow.h), so realloc is
    called only in grow.c, in folders that may not use convert/util
    (format/, kernel-shim/: they keep their own), and in the few places
    REALLOC_ALLOWED names with the reason.
The front-ends, cmd/ and cmd/python/ (the Python module), may use every
library folder but no private header.  Ends with
"layers: N passed, N failed".
"""
import os
import re
import subprocess
import sys

PRIVATE = re.compile(r'(_internal\.h|-int\.h)$')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
FRONTENDS = ('cmd', 'cmd/python')

# The growth helper's owner, and the bare realloc() calls kept on purpose:
# (file, function) -> why.
GROW_FOLDER, GROW_OWNER = 'convert/util', 'convert/util/grow.c'
REALLOC_ALLOWED = {
    ('convert/analysis/stacks_spool.c', 'reserve_mem'):
        'capped at the spool\'s memory limit, past which it moves to a file',
    ('cmd/python/columns.c', 'take_col'):
        'trims a column to its rows, not a growth',
}
REALLOC = re.compile(r'(?<![\w.>])realloc\s*\(')
FUNC_START = re.compile(r'^[A-Za-z_][\w \t*]*?\b(\w+)\s*\(')


def load_table(path):
    uses = {}
    for line in open(path):
        if ':' not in line:
            continue
        folder, used = line.split(':', 1)
        uses[folder.strip()] = used.split()
    return uses


def folder_of(path, folders):
    best = None
    for f in folders:
        if path.startswith(f + '/') and '/' not in path[len(f) + 1:]:
            best = f
    return best


def sources(folders):
    files = []
    for f in folders:
        for name in sorted(os.listdir(f)):
            if name.endswith(('.c', '.h')):
                files.append(f + '/' + name)
    return files


def check_includes(uses, folders, problems, edges):
    headers = {}
    for f in folders:
        for name in os.listdir(f):
            if name.endswith('.h'):
                headers.setdefault(name, []).append(f)
    for path in sources(folders):
        own = folder_of(path, folders)
        allowed = set(folders) if own in FRONTENDS else {own, *uses.get(own, [])}
        for lineno, line in enumerate(open(path, errors='replace'), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            name = m.group(1)
            where = headers.get(os.path.basename(name), [])
            if not where:
                continue  # a system or generated header
            if own in where:
                target = own
            else:
                ok = [w for w in where if w in allowed]
                target = ok[0] if ok else where[0]
            target_path = target + '/' + os.path.basename(name)
            if target not in allowed:
                problems.append(f'{path}:{lineno}: includes {target_path}: '
                                f'{own}/ may not use {target}/')
            elif target != own and PRIVATE.search(name):
                problems.append(f'{path}:{lineno}: includes {target_path}, '
                                f'a private header of {target}/')
            edges.setdefault(path, set()).add(target_path)


def check_headers(folders, problems):
    """Each .c opens with its SPDX line and a comment saying its job."""
    for path in sources(folders):
        lines = open(path, errors='replace').read().split('\n')[:3]
        if not lines or 'SPDX-License-Identifier: GPL-2.0-only' not in lines[0]:
            problems.append(f'{path}:1: no SPDX-License-Identifier: GPL-2.0-only line')
        elif path.endswith('.c') and (len(lines) < 2 or
                                      not lines[1].lstrip().startswith(('/*', '//'))):
            problems.append(f'{path}:2: no comment saying the file\'s job')


def check_realloc(uses, folders, problems):
    for path in sources(folders):
        own = folder_of(path, folders)
        if path == GROW_OWNER or (own not in FRONTENDS and own != GROW_FOLDER and
                                  GROW_FOLDER not in uses.get(own, [])):
            continue
        func, in_comment = None, False
        for lineno, line in enumerate(open(path, errors='replace'), 1):
            code = re.sub(r'/\*.*?\*/|//.*$', '', line)
            if in_comment:
                if '*/' not in code:
                    continue
                code, in_comment = code.split('*/', 1)[1], False
            if '/*' in code:
                code, in_comment = code.split('/*', 1)[0], True
            m = FUNC_START.match(code)
            if m and not code.rstrip().endswith(';'):
                func = m.group(1)
            if REALLOC.search(code) and (path, func) not in REALLOC_ALLOWED:
                problems.append(f'{path}:{lineno}: calls realloc() by hand: grow arrays '
                                f'with DT_GROW ({GROW_FOLDER}/grow.h)')


def nm_symbols(obj):
    out = subprocess.run(['nm', '--defined-only', '-g', obj], capture_output=True,
                         text=True, check=True).stdout
    defined = {l.split()[-1] for l in out.splitlines() if len(l.split()) >= 3}
    out = subprocess.run(['nm', '-u', obj], capture_output=True, text=True,
                         check=True).stdout
    undefined = {l.split()[-1] for l in out.splitlines() if l.split()}
    return defined, undefined


def check_calls(uses, folders, objdir, problems, edges):
    lib_folders = [f for f in folders if f not in FRONTENDS]
    defs, undefs = {}, {}
    for f in lib_folders:
        for name in sorted(os.listdir(f)):
            if not name.endswith('.c'):
                continue
            src = f + '/' + name
            obj = os.path.join(objdir, f, name[:-2] + '.o')
            if not os.path.exists(obj):
                problems.append(f'{obj}: missing (build first)')
                continue
            d, u = nm_symbols(obj)
            undefs[src] = u
            for sym in d:
                defs.setdefault(sym, src)
    for src, syms in undefs.items():
        own = folder_of(src, folders)
        allowed = {own, *uses.get(own, [])}
        for sym in sorted(syms):
            target = defs.get(sym)
            if not target or target == src:
                continue
            tf = folder_of(target, folders)
            if tf not in allowed:
                problems.append(f'{src}: calls {sym} in {target}: '
                                f'{own}/ may not use {tf}/')
            edges.setdefault(src, set()).add(target)


def cycles(edges):
    """Strongly connected components of more than one file: a .c file
    depends on the files whose functions it calls and on the headers it
    includes, a header on the headers it includes."""
    graph = {}
    for a, bs in edges.items():
        for b in bs:
            if a != b:
                graph.setdefault(a, set()).add(b)
                graph.setdefault(b, set())
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        work = [(v, iter(sorted(graph[v])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    advanced = True
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: check.py OBJDIR TABLE')
    objdir, table = sys.argv[1:]
    uses = load_table(table)
    folders = list(uses) + [f for f in FRONTENDS if os.path.isdir(f)]
    problems, edges = [], {}
    check_includes(uses, folders, problems, edges)
    check_calls(uses, folders, objdir, problems, edges)
    check_headers(folders, problems)
    check_realloc(uses, folders, problems)
    for comp in cycles(edges):
        problems.append('import cycle: ' + ' <-> '.join(comp))
    for p in problems:
        print('layers: ' + p)
    kinds = [lambda p: 'may not use' in p,
             lambda p: 'private header' in p or 'missing' in p,
             lambda p: p.startswith('import cycle'),
             lambda p: 'SPDX' in p or 'job' in p,
             lambda p: 'realloc' in p]
    checks = len(kinds)
    failed = sum(any(k(p) for p in problems) for k in kinds)
    print(f'layers: {checks - failed} passed, {failed} failed')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
