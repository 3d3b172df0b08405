package prime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleReport is a small Report built by hand: three classes, one
// without failure modes, three modes, one of them the paper's fox.
func sampleReport() *Report {
	return &Report{
		Options: Options{MinSize: 30, MinDrop: 0.2, MinMarginalDrop: 0.05, MaxTags: 3, Baseline: BaselineRest,
			FDR: 0.05, Bootstrap: 1000, Confidence: 0.95, Seed: 7},
		Classes: []ClassSummary{
			{Label: "cat", N: 200, Correct: 180, Accuracy: 0.9},
			{Label: "fox", N: 300, Correct: 240, Accuracy: 0.8, Modes: 2},
			{Label: "tench", N: 120, Correct: 90, Accuracy: 0.75, Modes: 1},
		},
		Modes: []FailureMode{
			{Label: "fox", Tags: []string{"snow"}, N: 50, Correct: 30, Accuracy: 0.6, RestAccuracy: 0.84, Drop: 0.24,
				ClassN: 300, ClassCorrect: 240, ClassAccuracy: 0.8, CI: &[2]float64{0.46, 0.74}, DropCI: &[2]float64{0.1, 0.38},
				P: 1.2e-4, Q: 3.1e-3, DropP: 0.35, DropQ: 0.52},
			{Label: "fox", Tags: []string{"black", "branch", "hang"}, N: 43, Correct: 18, Accuracy: 18.0 / 43,
				RestAccuracy: 222.0 / 257, Drop: 222.0/257 - 18.0/43, ClassN: 300, ClassCorrect: 240, ClassAccuracy: 0.8,
				CI: &[2]float64{0.28, 0.57}, DropCI: &[2]float64{0.29, 0.58}, P: 1.2e-7, Q: 3.1e-5,
				DropP: 2e-3, DropQ: 0.021, Confident: true},
			{Label: "tench", Tags: []string{"man", "water"}, N: 31, Correct: 14, Accuracy: 14.0 / 31,
				RestAccuracy: 76.0 / 89, Drop: 76.0/89 - 14.0/31, ClassN: 120, ClassCorrect: 90, ClassAccuracy: 0.75,
				CI: &[2]float64{0.29, 0.61}, DropCI: &[2]float64{0.2, 0.6}, P: 2e-5, Q: 4e-4,
				DropP: 0.02, DropQ: 0.09},
		},
		Records: 620, Tags: 140, Evaluated: 5000, Hypotheses: 3456, Correction: "benjamini-hochberg",
	}
}

// validated adds held-out results to r: one mode holds, one does not,
// one has no held-out records; the correlation is undefined.
func validated(r *Report) *Report {
	r.Validation = &Validation{Records: 300, Level: 0.05, Modes: 3, Holding: 1, Share: 1.0 / 3, Correlation: math.NaN()}
	r.Modes[0].Validation = &ModeValidation{N: 25, Correct: 15, Accuracy: 0.6, RestAccuracy: 0.8, Drop: 0.2, P: 0.03, Holds: true}
	r.Modes[1].Validation = &ModeValidation{N: 20, Correct: 15, Accuracy: 0.75, RestAccuracy: 0.8, Drop: 0.05, P: 0.4}
	r.Modes[2].Validation = &ModeValidation{}
	return r
}

// noIntervals turns r's intervals off, as Options.Bootstrap < 0 does.
func noIntervals(r *Report) *Report {
	r.Options.Bootstrap = -1
	for i := range r.Modes {
		r.Modes[i].CI, r.Modes[i].DropCI = nil, nil
	}
	return r
}

func noModes(r *Report) *Report {
	r.Modes = nil
	for i := range r.Classes {
		r.Classes[i].Modes = 0
	}
	return r
}

// A formatCase is a Report and what a writer writes of it.
type formatCase struct {
	name   string
	report *Report
	want   string
}

func TestWriteText(t *testing.T) {
	tests := []formatCase{{
		name:   "modes with intervals",
		report: sampleReport(),
		want: `prime: 620 records in 3 classes, 140 tags; 3456 tag sets tested; 3 failure modes in 2 classes
options: min-size 30, min-drop 0.2, min-marginal-drop 0.05, max-tags 3, baseline rest, fdr 0.05 (benjamini-hochberg), interval bootstrap (wilson and newcombe where a group is 0% or 100% right), bootstrap 1000, confidence 0.95, seed 7

LABEL  TAGS                 N   ACCURACY            REST   DROP                P        Q        CONFIDENT
fox    snow                 50  60.0% [46.0, 74.0]  84.0%  24.0% [10.0, 38.0]  0.00012  0.0031   no (q=0.52)
fox    black, branch, hang  43  41.9% [28.0, 57.0]  86.4%  44.5% [29.0, 58.0]  1.2e-07  3.1e-05  yes (q=0.021)
tench  man, water           31  45.2% [29.0, 61.0]  85.4%  40.2% [20.0, 60.0]  2e-05    0.0004   no (q=0.09)
`,
	}, {
		name:   "intervals off",
		report: noIntervals(sampleReport()),
		want: `prime: 620 records in 3 classes, 140 tags; 3456 tag sets tested; 3 failure modes in 2 classes
options: min-size 30, min-drop 0.2, min-marginal-drop 0.05, max-tags 3, baseline rest, fdr 0.05 (benjamini-hochberg), no intervals, seed 7

LABEL  TAGS                 N   ACCURACY  REST   DROP   P        Q        CONFIDENT
fox    snow                 50  60.0%     84.0%  24.0%  0.00012  0.0031   no (q=0.52)
fox    black, branch, hang  43  41.9%     86.4%  44.5%  1.2e-07  3.1e-05  yes (q=0.021)
tench  man, water           31  45.2%     85.4%  40.2%  2e-05    0.0004   no (q=0.09)
`,
	}, {
		name:   "validated, class baseline",
		report: func() *Report { r := validated(sampleReport()); r.Options.Baseline = BaselineClass; return r }(),
		want: `prime: 620 records in 3 classes, 140 tags; 3456 tag sets tested; 3 failure modes in 2 classes
options: min-size 30, min-drop 0.2, min-marginal-drop 0.05, max-tags 3, baseline class, fdr 0.05 (benjamini-hochberg), interval bootstrap (wilson and newcombe where a group is 0% or 100% right), bootstrap 1000, confidence 0.95, seed 7
validation: 300 records held out; 1 of 3 modes hold at level 0.05 (33.3%); correlation of mined and held-out drops undefined

LABEL  TAGS                 N   ACCURACY            CLASS  DROP                P        Q        CONFIDENT      VALIDATION
fox    snow                 50  60.0% [46.0, 74.0]  80.0%  24.0% [10.0, 38.0]  0.00012  0.0031   no (q=0.52)    holds (n=25, 60.0%, drop 20.0%, p=0.03)
fox    black, branch, hang  43  41.9% [28.0, 57.0]  80.0%  44.5% [29.0, 58.0]  1.2e-07  3.1e-05  yes (q=0.021)  fails (n=20, 75.0%, drop 5.0%, p=0.4)
tench  man, water           31  45.2% [29.0, 61.0]  75.0%  40.2% [20.0, 60.0]  2e-05    0.0004   no (q=0.09)    no held-out records
`,
	}, {
		name:   "none found",
		report: noModes(sampleReport()),
		want: `prime: 620 records in 3 classes, 140 tags; 3456 tag sets tested; no failure modes
options: min-size 30, min-drop 0.2, min-marginal-drop 0.05, max-tags 3, baseline rest, fdr 0.05 (benjamini-hochberg), interval bootstrap (wilson and newcombe where a group is 0% or 100% right), bootstrap 1000, confidence 0.95, seed 7
no failure modes found
`,
	}, {
		name: "control characters in labels and tags",
		report: func() *Report {
			r := sampleReport()
			r.Modes = r.Modes[2:]
			r.Modes[0].Label, r.Modes[0].Tags = "te\tnch", []string{"man\nwater"}
			return r
		}(),
		want: `prime: 620 records in 3 classes, 140 tags; 3456 tag sets tested; 1 failure mode in 1 class
options: min-size 30, min-drop 0.2, min-marginal-drop 0.05, max-tags 3, baseline rest, fdr 0.05 (benjamini-hochberg), interval bootstrap (wilson and newcombe where a group is 0% or 100% right), bootstrap 1000, confidence 0.95, seed 7

LABEL   TAGS       N   ACCURACY            REST   DROP                P      Q       CONFIDENT
te nch  man water  31  45.2% [29.0, 61.0]  85.4%  40.2% [20.0, 60.0]  2e-05  0.0004  no (q=0.09)
`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, tt.report.WriteText(&b))
			assert.Equal(t, tt.want, b.String())
		})
	}
}

func TestWriteMarkdown(t *testing.T) {
	tests := []formatCase{{
		name:   "validated",
		report: validated(sampleReport()),
		want: `**prime: 620 records in 3 classes, 140 tags; 3456 tag sets tested; 3 failure modes in 2 classes**<br>
options: min-size 30, min-drop 0.2, min-marginal-drop 0.05, max-tags 3, baseline rest, fdr 0.05 (benjamini-hochberg), interval bootstrap (wilson and newcombe where a group is 0% or 100% right), bootstrap 1000, confidence 0.95, seed 7<br>
validation: 300 records held out; 1 of 3 modes hold at level 0.05 (33.3%); correlation of mined and held-out drops undefined

| label | tags | n | accuracy | rest | drop | p | q | confident | validation |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |
| fox | ` + "`snow`" + ` | 50 | 60.0% [46.0, 74.0] | 84.0% | 24.0% [10.0, 38.0] | 0.00012 | 0.0031 | no (q=0.52) | holds (n=25, 60.0%, drop 20.0%, p=0.03) |
| fox | ` + "`black` `branch` `hang`" + ` | 43 | 41.9% [28.0, 57.0] | 86.4% | 44.5% [29.0, 58.0] | 1.2e-07 | 3.1e-05 | yes (q=0.021) | fails (n=20, 75.0%, drop 5.0%, p=0.4) |
| tench | ` + "`man` `water`" + ` | 31 | 45.2% [29.0, 61.0] | 85.4% | 40.2% [20.0, 60.0] | 2e-05 | 0.0004 | no (q=0.09) | no held-out records |
`,
	}, {
		name: "hostile label and tags",
		report: func() *Report {
			r := noIntervals(sampleReport())
			r.Modes = r.Modes[2:]
			r.Modes[0].Label = "a|b <i>*x*</i>"
			r.Modes[0].Tags = []string{"p|q", "tick`s", " pad"}
			return r
		}(),
		want: `**prime: 620 records in 3 classes, 140 tags; 3456 tag sets tested; 1 failure mode in 1 class**<br>
options: min-size 30, min-drop 0.2, min-marginal-drop 0.05, max-tags 3, baseline rest, fdr 0.05 (benjamini-hochberg), no intervals, seed 7

| label | tags | n | accuracy | rest | drop | p | q | confident |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
| a\|b \<i\>\*x\*\</i\> | ` + "`p\\|q` `` tick`s `` `  pad `" + ` | 31 | 45.2% | 85.4% | 40.2% | 2e-05 | 0.0004 | no (q=0.09) |
`,
	}, {
		name:   "none found",
		report: noModes(sampleReport()),
		want: `**prime: 620 records in 3 classes, 140 tags; 3456 tag sets tested; no failure modes**<br>
options: min-size 30, min-drop 0.2, min-marginal-drop 0.05, max-tags 3, baseline rest, fdr 0.05 (benjamini-hochberg), interval bootstrap (wilson and newcombe where a group is 0% or 100% right), bootstrap 1000, confidence 0.95, seed 7

No failure modes found.
`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, tt.report.WriteMarkdown(&b))
			assert.Equal(t, tt.want, b.String())
			// Every table row has as many cells as the header: no pipe
			// from the data split a cell.
			var cells int
			for _, line := range strings.Split(b.String(), "\n") {
				if !strings.HasPrefix(line, "| ") {
					continue
				}
				n := strings.Count(line, "|") - strings.Count(line, `\|`)
				if cells == 0 {
					cells = n
				}
				assert.Equal(t, cells, n, "cells in %q", line)
			}
		})
	}
}

// jsonKeys returns the keys of the JSON object in line, in order.
func jsonKeys(t *testing.T, line []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	tok, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok)
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		require.NoError(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		require.NoError(t, dec.Decode(&skip))
	}
	return keys
}

func TestWriteJSONL(t *testing.T) {
	fields := []string{"label", "tags", "n", "accuracy", "rest_accuracy", "drop", "ci", "drop_ci", "ci_method",
		"p", "q", "drop_p", "drop_q", "confident"}
	noMethod := slices.DeleteFunc(slices.Clone(fields), func(k string) bool { return k == "ci_method" })
	tests := []struct {
		name   string
		report *Report
		keys   []string
	}{
		{"plain", sampleReport(), fields},
		{"validated", validated(sampleReport()), append(slices.Clone(fields), "validation")},
		{"intervals off", noIntervals(sampleReport()), noMethod},
		{"validation on modes of an unvalidated report is left out", func() *Report {
			r := validated(sampleReport())
			r.Validation = nil
			return r
		}(), fields},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, tt.report.WriteJSONL(&b))
			lines := bytes.Split(bytes.TrimSuffix(b.Bytes(), []byte("\n")), []byte("\n"))
			require.Len(t, lines, len(tt.report.Modes))
			for i, line := range lines {
				assert.Equal(t, tt.keys, jsonKeys(t, line), "line %d", i)
				var got jsonlMode
				dec := json.NewDecoder(bytes.NewReader(line))
				dec.DisallowUnknownFields()
				require.NoError(t, dec.Decode(&got))
				m := tt.report.Modes[i]
				// Numbers read back bit for bit.
				assert.Equal(t, m.Label, got.Label)
				assert.Equal(t, m.Tags, got.Tags)
				assert.Equal(t, m.N, got.N)
				assert.Equal(t, math.Float64bits(m.Accuracy), math.Float64bits(got.Accuracy))
				assert.Equal(t, math.Float64bits(m.RestAccuracy), math.Float64bits(got.RestAccuracy))
				assert.Equal(t, math.Float64bits(m.Drop), math.Float64bits(got.Drop))
				assert.Equal(t, m.CI, got.CI)
				assert.Equal(t, m.DropCI, got.DropCI)
				assert.Equal(t, m.P, got.P)
				assert.Equal(t, m.Q, got.Q)
				assert.Equal(t, m.DropP, got.DropP)
				assert.Equal(t, m.DropQ, got.DropQ)
				assert.Equal(t, m.Confident, got.Confident)
				if m.CI != nil {
					assert.Equal(t, "bootstrap", got.CIMethod)
				}
				if tt.report.Validation != nil {
					assert.Equal(t, m.Validation, got.Validation)
				}
			}
		})
	}

	t.Run("exact line", func(t *testing.T) {
		r := sampleReport()
		r.Modes = r.Modes[1:2]
		var b strings.Builder
		require.NoError(t, r.WriteJSONL(&b))
		assert.Equal(t, `{"label":"fox","tags":["black","branch","hang"],"n":43,"accuracy":0.4186046511627907,`+
			`"rest_accuracy":0.8638132295719845,"drop":0.44520857840919376,"ci":[0.28,0.57],"drop_ci":[0.29,0.58],`+
			`"ci_method":"bootstrap","p":1.2e-7,"q":0.000031,"drop_p":0.002,"drop_q":0.021,"confident":true}`+"\n", b.String())
	})
	t.Run("intervals off are null", func(t *testing.T) {
		r := noIntervals(sampleReport())
		r.Modes = r.Modes[2:]
		var b strings.Builder
		require.NoError(t, r.WriteJSONL(&b))
		assert.Contains(t, b.String(), `"drop":0.40231968104385646`)
		assert.Contains(t, b.String(), `,"ci":null,"drop_ci":null,"p":0.00002,`)
	})
	t.Run("no tags is an empty list, markup is not escaped", func(t *testing.T) {
		r := sampleReport()
		r.Modes = r.Modes[:1]
		r.Modes[0].Tags, r.Modes[0].Label = nil, "<a&b>"
		var b strings.Builder
		require.NoError(t, r.WriteJSONL(&b))
		assert.True(t, strings.HasPrefix(b.String(), `{"label":"<a&b>","tags":[],`), b.String())
	})
	t.Run("no modes writes nothing", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, noModes(sampleReport()).WriteJSONL(&b))
		assert.Empty(t, b.String())
	})
}

func TestWriteJSON(t *testing.T) {
	for _, r := range []*Report{sampleReport(), noModes(sampleReport())} {
		r.Modes = append(r.Modes, FailureMode{Label: "cat", Tags: []string{"box"}, N: 30,
			Examples: []Example{{ID: "c1", Image: "cat/c1.png", Predicted: "dog"}, {ID: "c2", Correct: true}}})
		var b bytes.Buffer
		require.NoError(t, r.WriteJSON(&b))
		assert.True(t, strings.HasPrefix(b.String(), "{\n  \"options\": {\n"), "indented")
		var back Report
		require.NoError(t, json.Unmarshal(b.Bytes(), &back))
		assert.Equal(t, r, &back)
	}

	t.Run("undefined correlation is null", func(t *testing.T) {
		r := validated(sampleReport())
		var b bytes.Buffer
		require.NoError(t, r.WriteJSON(&b))
		var raw struct {
			Validation map[string]any `json:"validation"`
		}
		require.NoError(t, json.Unmarshal(b.Bytes(), &raw))
		assert.Contains(t, raw.Validation, "correlation")
		assert.Nil(t, raw.Validation["correlation"])
		assert.Equal(t, 1.0/3, raw.Validation["share"])
		// Read back, null is NaN again; encoding/json alone writes it too.
		var back Report
		require.NoError(t, json.Unmarshal(b.Bytes(), &back))
		assert.True(t, math.IsNaN(back.Validation.Correlation))
		assert.Equal(t, r.Validation.Share, back.Validation.Share)
		plain, err := json.Marshal(r)
		require.NoError(t, err)
		assert.Contains(t, string(plain), `"correlation":null`)

		r.Validation.Correlation = 0.5
		b.Reset()
		require.NoError(t, r.WriteJSON(&b))
		back = Report{}
		require.NoError(t, json.Unmarshal(b.Bytes(), &back))
		assert.Equal(t, r, &back)
	})
}

// failWriter fails every write.
type failWriter struct{}

var errDiskFull = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteErrors(t *testing.T) {
	r := sampleReport()
	writers := map[string]func() error{
		"text":     func() error { return r.WriteText(failWriter{}) },
		"markdown": func() error { return r.WriteMarkdown(failWriter{}) },
		"json":     func() error { return r.WriteJSON(failWriter{}) },
		"jsonl":    func() error { return r.WriteJSONL(failWriter{}) },
	}
	for name, write := range writers {
		t.Run(name, func(t *testing.T) {
			err := write()
			require.ErrorIs(t, err, errDiskFull)
			assert.True(t, strings.HasPrefix(err.Error(), "prime: "), err.Error())
		})
	}
}

func ExampleReport_WriteText() {
	r := &Report{
		Options: Options{MinSize: 30, MinDrop: 0.2, MinMarginalDrop: 0.05, MaxTags: 3, Baseline: BaselineRest,
			FDR: 0.05, Bootstrap: 1000, Confidence: 0.95},
		Classes: []ClassSummary{{Label: "fox", N: 300, Correct: 240, Accuracy: 0.8, Modes: 1}},
		Modes: []FailureMode{{Label: "fox", Tags: []string{"black", "branch", "hang"}, N: 43, Correct: 18,
			Accuracy: 18.0 / 43, RestAccuracy: 222.0 / 257, Drop: 222.0/257 - 18.0/43,
			CI: &[2]float64{0.28, 0.57}, DropCI: &[2]float64{0.29, 0.58}, P: 1.2e-7, Q: 3.1e-5,
			DropP: 5.1e-4, DropQ: 0.021, Confident: true}},
		Records: 300, Tags: 25, Hypotheses: 410, Correction: "benjamini-hochberg",
	}
	if err := r.WriteText(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// prime: 300 records in 1 class, 25 tags; 410 tag sets tested; 1 failure mode in 1 class
	// options: min-size 30, min-drop 0.2, min-marginal-drop 0.05, max-tags 3, baseline rest, fdr 0.05 (benjamini-hochberg), interval bootstrap (wilson and newcombe where a group is 0% or 100% right), bootstrap 1000, confidence 0.95, seed 0
	//
	// LABEL  TAGS                 N   ACCURACY            REST   DROP                P        Q        CONFIDENT
	// fox    black, branch, hang  43  41.9% [28.0, 57.0]  86.4%  44.5% [29.0, 58.0]  1.2e-07  3.1e-05  yes (q=0.021)
}

func ExampleReport_WriteJSONL() {
	r := &Report{Modes: []FailureMode{{Label: "fox", Tags: []string{"black", "branch", "hang"}, N: 43,
		Accuracy: 18.0 / 43, RestAccuracy: 222.0 / 257, Drop: 222.0/257 - 18.0/43,
		CI: &[2]float64{0.28, 0.57}, DropCI: &[2]float64{0.29, 0.58}, P: 1.2e-7, Q: 3.1e-5,
		DropP: 5.1e-4, DropQ: 0.021, Confident: true}}}
	if err := r.WriteJSONL(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"label":"fox","tags":["black","branch","hang"],"n":43,"accuracy":0.4186046511627907,"rest_accuracy":0.8638132295719845,"drop":0.44520857840919376,"ci":[0.28,0.57],"drop_ci":[0.29,0.58],"ci_method":"bootstrap","p":1.2e-7,"q":0.000031,"drop_p":0.00051,"drop_q":0.021,"confident":true}
}
