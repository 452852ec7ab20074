#!/usr/bin/env python3
"""models/churn/features.sql as one read-only query (what `custlake query` runs): its steps, each
`CREATE TABLE name AS SELECT ...`, become CTEs of the last statement, and {{ customers }} (the share of
the customers a step runs for) is every customer. The parameters {{ cutoffs }} and {{ horizon_days }} are
left as they are.

    one_query.py FEATURES_SQL > query.sql
"""
import re
import sys

lines = open(sys.argv[1]).read().split("\n")
start = 0
while start < len(lines) and lines[start].startswith("--"):  # the header
    start += 1
statements, current = [], []
for line in lines[start:]:
    stripped = line.strip()
    if stripped.endswith(";") and not stripped.startswith("--"):
        current.append(line[: line.rfind(";")])
        statements.append("\n".join(current))
        current = []
    else:
        current.append(line)
statements.append("\n".join(current))
ctes = []
for step in statements[:-1]:
    m = re.search(r"^CREATE TABLE (\w+) AS\b", step, re.M)
    if not m:
        sys.exit("a statement before the last is not `CREATE TABLE name AS ...`:\n" + step)
    ctes.append(f"{m.group(1)} AS (\n{step[m.end():].strip()}\n)")
last = statements[-1].strip()
while last.startswith("--"):
    last = last.split("\n", 1)[1].lstrip()
if last.startswith("WITH "):
    query = "WITH " + ",\n".join(ctes) + ",\n" + last[len("WITH "):]
else:
    query = "WITH " + ",\n".join(ctes) + "\n" + last
print(query.replace("{{ customers }}", "true"))
