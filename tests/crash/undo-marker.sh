#!/bin/sh
# The undo of tests/crash/exec-undo.yaml: remove the marker and count this
# run of the undo. Named by a relative path on purpose: `faultline restore`
# runs from elsewhere, and must still find it (the journal's WORKDIR).
rm -f "$FL_MARKER" && echo "$FAULTLINE_FAULT #$FAULTLINE_TRIAL $FAULTLINE_TARGET" >>"$FL_MARKER.undos"
