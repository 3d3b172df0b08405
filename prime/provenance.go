package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strconv"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/outfile"
)

// provenanceSuffix names the provenance file of a records file:
// records.jsonl has records.jsonl.provenance.json beside it.
const provenanceSuffix = ".provenance.json"

// A provenance says what made the records of a records file: the settings
// of prime run that decide a record's tags and prediction (the models'
// contents, the vocabulary, thresholds, labels, outputs and preprocessing),
// by name, each a string compared as it is. It is kept beside the records
// file, not in it, so that the records file stays plain JSON Lines that
// any tool reads; a resume whose settings differ is refused.
type provenance struct {
	// About says what the file is, for a person who finds it.
	About string `json:"about"`
	// Settings are the settings that decide the records, by name.
	Settings map[string]string `json:"settings"`
	// Files are the files the settings were read from, for a person: they
	// are not compared (a model may move; its content may not change).
	Files map[string]string `json:"files,omitempty"`
}

const provenanceAbout = "What made the records of the records file beside this one (prime run). " +
	"prime run refuses to add records made with other settings to it."

// The settings of the scores the records keep. Records made before prime
// kept scores have a provenance without them, and kept none.
const (
	tagScoresSetting  = "tag scores kept (-tag-floor)"
	predScoresSetting = "class scores kept (-pred-scores)"
)

// addedSetting returns, for a setting that a provenance file written
// before it existed lacks, the value that stands for its absence.
func addedSetting(name string) (string, bool) {
	switch name {
	case tagScoresSetting, predScoresSetting:
		return "none", true
	}
	return "", false
}

// provenanceOf returns the provenance of the records the plug-ins make with
// the flags f.
func provenanceOf(f *runFlags, tg prime.Tagger, cl prime.Classifier) (*provenance, error) {
	p := &provenance{About: provenanceAbout, Settings: map[string]string{}, Files: map[string]string{}}
	file := func(setting, flag, path string) error {
		sum, err := fileSHA256(path)
		if err != nil {
			return fmt.Errorf("%s: %w", flag, err)
		}
		p.Settings[setting+" (sha256)"] = sum
		p.Files[setting] = path
		return nil
	}
	// plugin records where the plug-in of kind ("tagger", "classifier")
	// comes from: the file of precomputed what given to flag, when path
	// is one, or else the ONNX model at model, with its output,
	// preprocessing and runtime.
	plugin := func(kind, what, flag, path, model, output string, prep *prepFlags) error {
		if path != "" {
			p.Settings[kind] = "precomputed " + what
			return file(kind+"'s precomputed "+what+" file ("+flag+")", flag, path)
		}
		p.Settings[kind] = "ONNX model"
		p.Settings[kind+" output (-"+kind+"-output)"] = output
		p.Settings[fmt.Sprintf("%[1]s preprocessing (-%[1]s-preset, -%[1]s-mean, -%[1]s-std, -%[1]s-bgr, -%[1]s-no-scale)", kind)] = prepSetting(prep)
		p.Settings[kind+" runtime (-runtime, -device)"] = f.runtime + " on " + f.device
		return file(kind+" model (-"+kind+")", "-"+kind, model)
	}
	if err := plugin("tagger", "tags", "-tags", f.tags, f.taggerPath, f.taggerOutput, &f.taggerPrep); err != nil {
		return nil, err
	}
	if f.taggerPath != "" {
		if v, ok := tg.(interface{ Vocabulary() []string }); ok {
			p.Settings["tagger vocabulary (-vocab)"] = listSetting(v.Vocabulary())
			p.Files["tagger vocabulary (-vocab)"] = f.vocab
		}
		if th, ok := tg.(interface{ Thresholds() []float32 }); ok {
			p.Settings["tagger thresholds (-threshold, -thresholds)"] = thresholdsSetting(th.Thresholds())
			if f.thresholds != "" {
				p.Files["tagger thresholds (-thresholds)"] = f.thresholds
			}
		}
	}
	p.Settings[tagScoresSetting] = "none"
	if sf, ok := tg.(prime.ScoreFloorer); ok && f.keepsTagScores() {
		if floor := sf.ScoreFloor(); floor < 1 {
			p.Settings[tagScoresSetting] = "the record's tags' and every other above " + strconv.FormatFloat(float64(floor), 'g', -1, 32)
		} else {
			p.Settings[tagScoresSetting] = "the record's tags' only"
		}
	}
	p.Settings[predScoresSetting] = "none"
	if l, ok := cl.(interface{ Labels() []string }); ok && f.preds == "" && f.predScores > 0 {
		if n := len(l.Labels()); f.predScores >= n {
			p.Settings[predScoresSetting] = fmt.Sprintf("all %d", n)
		} else {
			p.Settings[predScoresSetting] = fmt.Sprintf("the %d highest", f.predScores)
		}
	}
	if err := plugin("classifier", "predictions", "-preds", f.preds, f.classifierPath, f.classifierOutput, &f.classifierPrep); err != nil {
		return nil, err
	}
	if l, ok := cl.(interface{ Labels() []string }); ok && f.classifierPath != "" {
		p.Settings["classifier labels (-labels)"] = listSetting(l.Labels())
		if f.labels != "" {
			p.Files["classifier labels (-labels)"] = f.labels
		}
	}
	return p, nil
}

// prepSetting is a model's preprocessing flags as one setting.
func prepSetting(p *prepFlags) string {
	b, err := json.Marshal(p.transform)
	if err != nil {
		return fmt.Sprintf("%+v", p.transform)
	}
	return string(b)
}

// listSetting is a list of names as one setting: its length and the
// SHA-256 of the names, one a line.
func listSetting(names []string) string {
	h := sha256.New()
	for _, n := range names {
		io.WriteString(h, n)
		h.Write([]byte{'\n'})
	}
	return fmt.Sprintf("%d names, sha256 %s", len(names), hex.EncodeToString(h.Sum(nil)))
}

// thresholdsSetting is the tagger's thresholds as one setting: the value
// when every tag has the same, and otherwise their number and SHA-256.
func thresholdsSetting(th []float32) string {
	if len(th) > 0 && !slices.ContainsFunc(th, func(v float32) bool { return v != th[0] }) {
		return strconv.FormatFloat(float64(th[0]), 'g', -1, 32) + " for every tag"
	}
	s := make([]string, len(th))
	for i, v := range th {
		s[i] = strconv.FormatFloat(float64(v), 'g', -1, 32)
	}
	return "per tag: " + listSetting(s)
}

// fileSHA256 returns the SHA-256 of the file at path, in hexadecimal.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close() // read only
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readProvenance reads the provenance file at path; a missing file is nil
// and no error.
func readProvenance(path string) (*provenance, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p provenance
	if err := json.Unmarshal(data, &p); err != nil || p.Settings == nil {
		return nil, fmt.Errorf("%s: not a provenance file of prime run (%v)", path, err)
	}
	return &p, nil
}

// write writes p to path, whole or not at all.
func (p *provenance) write(files outfile.Writer, path string) error {
	return files.WriteFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(p)
	})
}

// differences lists the settings in which now differs from p, each as
// "NAME: was X, now Y", in the order of their names.
func (p *provenance) differences(now *provenance) []string {
	names := slices.AppendSeq(slices.Collect(maps.Keys(p.Settings)), maps.Keys(now.Settings))
	slices.Sort(names)
	var out []string
	for _, n := range slices.Compact(names) {
		was, ok1 := p.Settings[n]
		is, ok2 := now.Settings[n]
		if v, added := addedSetting(n); added && !ok1 {
			was, ok1 = v, true
		}
		switch {
		case !ok1:
			was = "not set"
		case !ok2:
			is = "not set"
		}
		if was != is {
			out = append(out, fmt.Sprintf("%s: was %s, now %s", n, was, is))
		}
	}
	return out
}

// errProvenance is the error of a resume refused for its settings, with
// the ways out.
func errProvenance(records, provPath string, n int, what string) error {
	return fmt.Errorf("%s holds %s %s.\n"+
		"Adding records made otherwise would mix two models' answers in one file. Run with the settings\n"+
		"recorded in %s, or start over: give another -records FILE, or move %s and %s away",
		records, count(n, "record", "records"), what, provPath, records, provPath)
}
