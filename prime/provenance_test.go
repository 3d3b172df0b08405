package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzReadProvenance: a provenance file, whatever it holds, reads as one
// that differs from itself in nothing, or fails with an error that names
// it.
func FuzzReadProvenance(f *testing.F) {
	for _, s := range []string{
		`{"about": "x", "settings": {"tagger": "ONNX model", "tag scores kept (-tag-floor)": "none"}, "files": {"tagger model (-tagger)": "m.onnx"}}`,
		`{"settings": {}}`,
		`{"settings": null}`,
		`{"settings": {"a": null, "a": "b"}}`,
		`{"settings": {"a": 1}}`,
		`{"files": {"a": "b"}}`,
		`null`,
		`[]`,
		`{"settings": {"\u0000\ud800": "\n"}} trailing`,
		"",
		"\xff",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "records.jsonl"+provenanceSuffix)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		p, err := readProvenance(path)
		if err != nil {
			require.ErrorContains(t, err, path)
			return
		}
		require.NotNil(t, p)
		require.NotNil(t, p.Settings)
		require.Empty(t, p.differences(p))
		none := &provenance{Settings: map[string]string{}}
		require.Len(t, p.differences(none), len(p.Settings))
		require.Len(t, none.differences(p), len(p.Settings)-addedSettingsHeld(p))
	})
}

// addedSettingsHeld counts the settings of p that addedSetting knows and
// that hold the value standing for their absence: a provenance without
// them, as written before they existed, does not differ from p in them.
func addedSettingsHeld(p *provenance) int {
	n := 0
	for name, v := range p.Settings {
		if absent, ok := addedSetting(name); ok && v == absent {
			n++
		}
	}
	return n
}
