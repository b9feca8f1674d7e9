"""Everything QtWebEngine does with untrusted artifact pages (DESIGN.md §4).

`register_scheme()` and `engine.start_network_wall()` before the QApplication,
`make_artifact_profile(gate=…)` once, then an `ArtifactView(profile)` per place that shows
artifacts. `sandbox.policy` holds the rules as
pure values; the other modules are the Qt glue that carries them out.
"""
