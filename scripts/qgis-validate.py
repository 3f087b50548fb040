#!/usr/bin/env python3
"""Opens a Wangge QGIS project headless and checks every layer: valid, with features.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/qgis-validate.py wangge.qgs
Needs QGIS's Python bindings (Debian: python3-qgis qgis-providers; the system python3, not a
pyenv/venv one) and the server the project points at. tests/api/qgis-headless.test.ts runs it.
Prints one line per layer as JSON and exits 1 when a layer is invalid or empty.
"""
import json
import sys

from qgis.core import QgsApplication, QgsProject

app = QgsApplication([], False)
app.initQgis()
project = QgsProject.instance()
if not project.read(sys.argv[1]):
    print(json.dumps({"error": "project not read", "detail": project.error()}))
    sys.exit(1)
ok = True
for layer_id, layer in project.mapLayers().items():
    count = layer.featureCount() if layer.isValid() else -1
    if count < 0:  # unknown until read
        count = sum(1 for _ in layer.getFeatures()) if layer.isValid() else -1
    renderer = layer.renderer().type() if layer.isValid() and layer.renderer() else None
    print(json.dumps({
        "id": layer_id, "name": layer.name(), "valid": layer.isValid(), "features": count, "provider": layer.providerType(),
        "renderer": renderer, "labels": bool(layer.labelsEnabled()) if layer.isValid() else False,
        "fields": [f.name() for f in layer.fields()] if layer.isValid() else [],
    }, ensure_ascii=False))
    ok = ok and layer.isValid() and count > 0
app.exitQgis()
sys.exit(0 if ok else 1)
