package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/stats"
)

// runPrime runs the command in-process and returns its exit status and
// outputs.
func runPrime(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}, args)
	return code, out.String(), errb.String()
}

// badArgs are a command's arguments and a part of the error they make.
type badArgs struct {
	args []string
	want string
}

// testBadArgs runs prime cmd with each case's args followed by rest: each
// exits 2 saying what the case wants, with nothing on standard output.
func testBadArgs(t *testing.T, cmd string, rest []string, cases []badArgs) {
	t.Helper()
	for _, tt := range cases {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runPrime(t, "", append(append([]string{cmd}, tt.args...), rest...)...)
			assert.Equal(t, exitBad, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tt.want)
		})
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

// analyzeFile reads the records file at path and analyzes it with the
// library's defaults.
func analyzeFile(t *testing.T, path string) *prime.Report {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	d, err := prime.ReadDataset(f, path)
	require.NoError(t, err)
	report, err := d.Analyze(context.Background(), nil)
	require.NoError(t, err)
	return report
}

func TestMineBadInput(t *testing.T) {
	good := `{"id":"a","label":"cat","pred":"cat","tags":["x"]}` + "\n"
	tests := []struct {
		name, content, want string
	}{
		{"not JSON", good + "{oops\n", "data.jsonl:2:"},
		{"missing label", good + `{"id":"b","pred":"cat","tags":[]}` + "\n", `data.jsonl:2: field "label"`},
		{"empty label", good + `{"id":"b","label":"","pred":"cat","tags":[]}` + "\n", `data.jsonl:2: field "label"`},
		{"neither pred nor correct", good + `{"id":"b","label":"cat","tags":[]}` + "\n", "data.jsonl:2:"},
		{"pred and correct disagree", good + `{"id":"b","label":"cat","pred":"dog","correct":true,"tags":[]}` + "\n", "data.jsonl:2:"},
		{"tag not a string", good + `{"id":"b","label":"cat","pred":"cat","tags":[1]}` + "\n", `data.jsonl:2: field "tags"`},
		{"repeated id", good + good, "data.jsonl:2:"},
		{"invalid UTF-8", good + "{\"id\":\"b\",\"label\":\"c\xffat\",\"pred\":\"cat\",\"tags\":[]}\n", "data.jsonl:2:"},
		{"empty file", "", "data.jsonl"},
		{"blank lines only", "\n\n", "data.jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "data.jsonl", tt.content)
			out := filepath.Join(filepath.Dir(path), "report.txt")
			code, stdout, stderr := runPrime(t, "", "mine", "-o", out, path)
			assert.Equal(t, exitBad, code)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, filepath.Join(filepath.Dir(path), tt.want))
			assert.NoFileExists(t, out, "nothing half written")
			entries, err := os.ReadDir(filepath.Dir(path))
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file left behind")
		})
	}
}

func TestMineBadFlags(t *testing.T) {
	path := writeFile(t, "data.jsonl", `{"id":"a","label":"cat","pred":"cat","tags":["x"]}`+"\n")
	testBadArgs(t, "mine", []string{path}, []badArgs{
		{[]string{"-min-drop", "1.5"}, "-min-drop 1.5 out of range: want 0 to 1"},
		{[]string{"-min-drop", "-0.1"}, "-min-drop -0.1 out of range: want 0 to 1"},
		{[]string{"-min-marginal-drop", "2"}, "-min-marginal-drop 2 out of range: want 0 to 1"},
		{[]string{"-max-tags", "0"}, "-max-tags 0 out of range: want 1 to 8"},
		{[]string{"-min-size", "-3"}, "-min-size -3 out of range: want at least 1"},
		{[]string{"-min-size", "0"}, "-min-size 0 out of range: want at least 1"},
		{[]string{"-fdr", "0"}, "-fdr 0 out of range"},
		{[]string{"-fdr", "1.5"}, "-fdr 1.5 out of range"},
		{[]string{"-bootstrap", "-1"}, "-bootstrap -1 out of range"},
		{[]string{"-confidence", "1"}, "-confidence 1 out of range"},
		{[]string{"-baseline", "mean"}, `-baseline "mean": want rest or class`},
		{[]string{"-interval", "wald"}, `invalid value "wald" for flag -interval: stats: unknown interval method "wald"`},
		{[]string{"-correction", "sidak"}, `invalid value "sidak" for flag -correction: stats: unknown correction method "sidak"`},
		{[]string{"-validation-level", "1"}, "-validation-level 1 out of range: want strictly between 0 and 1"},
		{[]string{"-validation-level", "0"}, "-validation-level 0 out of range"},
		{[]string{"-format", "xml"}, `-format "xml": want one of`},
		{[]string{"-split", "1"}, "-split 1 out of range"},
		{[]string{"-max-tags", "three"}, "invalid value"},
		{[]string{"-memory-limit", "1KiB"}, "-memory-limit 1KiB out of range: want 0 (no limit) or at least 1MiB"},
		{[]string{"-memory-limit", "lots"}, `invalid value "lots" for flag -memory-limit: "lots" is not a size such as 4GiB, 512MiB or 1000000 (bytes)`},
		{[]string{"-memory-limit", "-1GiB"}, `is not a size`},
		{[]string{"-nope"}, "flag provided but not defined"},
	})
	code, _, stderr := runPrime(t, "", "mine")
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "want a records file")
	code, _, stderr = runPrime(t, "", "mine", filepath.Join(t.TempDir(), "missing.jsonl"))
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "missing.jsonl")
}

// plantedRecords is a class of 1,000 records where the 50 carrying both
// "dark" and "blur" are mostly wrong (accuracy 0.2 against about 0.9), and
// either tag alone is not a failure mode (drops of about 0.12).
func plantedRecords() string {
	var b strings.Builder
	for i := range 1000 {
		var tags []string
		dark, blur := i < 300, i >= 250 && i < 550
		if dark {
			tags = append(tags, "dark")
		}
		if blur {
			tags = append(tags, "blur")
		}
		pred := "cat"
		if (dark && blur && i%5 != 0) || (!(dark && blur) && i%10 == 7) {
			pred = "dog"
		}
		line, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("r%04d", i), "label": "cat", "pred": pred, "tags": tags})
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestMineFormatsAndExitStatus(t *testing.T) {
	path := writeFile(t, "data.jsonl", plantedRecords())
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			code, stdout, stderr := runPrime(t, "", "mine", "-format", format, path)
			require.Equal(t, exitOK, code, stderr)
			assert.Contains(t, stdout, "blur")
			assert.Contains(t, stdout, "dark")
		})
	}
	code, _, _ := runPrime(t, "", "mine", "-fail-on-modes", path)
	assert.Equal(t, exitModes, code)
	code, stdout, stderr := runPrime(t, plantedRecords(), "mine", "-format", "jsonl", "-")
	require.Equal(t, exitOK, code, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, lines, 1)
	var mode map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &mode))
	assert.Equal(t, []any{"blur", "dark"}, mode["tags"])
	assert.Equal(t, float64(50), mode["n"])

	out := filepath.Join(t.TempDir(), "report.md")
	code, stdout, _ = runPrime(t, "", "mine", "-format", "markdown", "-o", out, path)
	require.Equal(t, exitOK, code)
	assert.Empty(t, stdout)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(data), "`blur`")
}

// compasRecord is a line of the COMPAS records file.
type compasRecord struct {
	Label string   `json:"label"`
	Pred  string   `json:"pred"`
	Tags  []string `json:"tags"`
}

// TestMineCOMPAS mines the real COMPAS predictions and checks every mode's
// numbers against counts made here, independently of the library.
func TestMineCOMPAS(t *testing.T) {
	path := filepath.Join("..", "testdata", "compas", "compas.jsonl")
	file, err := os.Open(path)
	require.NoError(t, err)
	defer file.Close()
	var recs []compasRecord
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		var r compasRecord
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		recs = append(recs, r)
	}
	require.NoError(t, sc.Err())
	require.Len(t, recs, 6172)

	code, stdout, stderr := runPrime(t, "", "mine", "-format", "jsonl", "-fdr", "1", path)
	require.Equal(t, exitOK, code, stderr)
	modes, err := prime.ReadModes(strings.NewReader(stdout))
	require.NoError(t, err)
	require.NotEmpty(t, modes)
	for _, m := range modes {
		var n, right, classN, classRight int
		for _, r := range recs {
			if r.Label != m.Label {
				continue
			}
			classN++
			ok := r.Pred == r.Label
			if ok {
				classRight++
			}
			if hasEvery(r.Tags, m.Tags) {
				n++
				if ok {
					right++
				}
			}
		}
		name := m.Label + ": " + strings.Join(m.Tags, ", ")
		assert.Equal(t, n, m.N, name)
		assert.Equal(t, float64(right)/float64(n), m.Accuracy, name)
		rest := float64(classRight-right) / float64(classN-n)
		assert.Equal(t, rest, m.RestAccuracy, name)
		assert.GreaterOrEqual(t, m.N, 30, name)
		assert.GreaterOrEqual(t, (classRight-right)*n*5-right*(classN-n)*5, (classN-n)*n, name+": drop of at least 1/5")
		assert.LessOrEqual(t, m.CI[0], m.Accuracy, name)
		assert.GreaterOrEqual(t, m.CI[1], m.Accuracy, name)
		assert.LessOrEqual(t, m.P, m.Q, name)
		for _, sub := range properSubsets(m.Tags) {
			var sn, sright int
			for _, r := range recs {
				if r.Label == m.Label && hasEvery(r.Tags, sub) {
					sn++
					if r.Pred == r.Label {
						sright++
					}
				}
			}
			// A_T' − A_T ≥ 1/20, in integers.
			assert.GreaterOrEqual(t, (sright*n-right*sn)*20, sn*n, "%s: subset %v", name, sub)
		}
	}
	// Two modes, with the numbers counted by hand from the file.
	found := map[string]prime.FailureMode{}
	for _, m := range modes {
		found[m.Label+": "+strings.Join(m.Tags, ", ")] = m
	}
	priors := found["recid: #prior=[1,3], age=25-45"]
	assert.Equal(t, 499, priors.N)
	assert.InDelta(t, 0.124, priors.Accuracy, 0.001)
	stay := found["no_recid: #prior=>3, stay=1w-3M"]
	assert.Equal(t, 122, stay.N)
	assert.InDelta(t, 0.705, stay.Accuracy, 0.001)
}

// properSubsets returns every proper non-empty subset of tags.
func properSubsets(tags []string) [][]string {
	var out [][]string
	for mask := 1; mask < 1<<len(tags)-1; mask++ {
		var sub []string
		for i, t := range tags {
			if mask&(1<<i) != 0 {
				sub = append(sub, t)
			}
		}
		out = append(out, sub)
	}
	return out
}

func hasEvery(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

func TestMineValidate(t *testing.T) {
	path := writeFile(t, "data.jsonl", plantedRecords())
	code, stdout, stderr := runPrime(t, "", "mine", "-format", "jsonl", "-split", "0.5", "-seed", "3", path)
	require.Equal(t, exitOK, code, stderr)
	var line struct {
		Tags       []string `json:"tags"`
		N          int      `json:"n"`
		Validation *struct {
			N     int     `json:"n"`
			P     float64 `json:"p"`
			Holds bool    `json:"holds"`
		} `json:"validation"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(stdout)), &line))
	assert.Equal(t, []string{"blur", "dark"}, line.Tags)
	require.NotNil(t, line.Validation)
	assert.Equal(t, 50, line.N+line.Validation.N, "the halves hold every record of the mode")
	assert.True(t, line.Validation.Holds)

	heldout := writeFile(t, "heldout.jsonl", plantedRecords())
	code, stdout, stderr = runPrime(t, "", "mine", "-validate", heldout, path)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "validation")

	code, _, stderr = runPrime(t, "", "mine", "-validate", filepath.Join(t.TempDir(), "none.jsonl"), path)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "none.jsonl")
	code, _, stderr = runPrime(t, "", "mine", "-validate", heldout, "-split", "0.5", path)
	assert.Equal(t, exitBad, code)
	assert.Contains(t, stderr, "exclude each other")
}

// prime mine -format html shows the pictures of records whose image paths
// are relative to the records file, lead out of its folder (as prime run
// writes them) or are absolute.
func TestMineHTMLImagePaths(t *testing.T) {
	root := t.TempDir()
	recordsDir := filepath.Join(root, "run")
	paths := []string{
		"own/a.png",                            // inside the records' folder
		"../images/b.png",                      // beside it
		filepath.Join(root, "elsewhere/c.png"), // absolute
	}
	writeTestPNG(t, filepath.Join(recordsDir, "own/a.png"), 10, false)
	writeTestPNG(t, filepath.Join(root, "images/b.png"), 90, true)
	writeTestPNG(t, filepath.Join(root, "elsewhere/c.png"), 200, false)
	var records strings.Builder
	for i := range 20 {
		tag, pred := "sharp", "cat"
		if i%2 == 0 {
			tag, pred = "blur", "dog"
		}
		fmt.Fprintf(&records, `{"id": "%d", "label": "cat", "pred": %q, "tags": [%q], "image": %q}`+"\n",
			i, pred, tag, filepath.ToSlash(paths[i/2%3]))
	}
	require.NoError(t, os.MkdirAll(recordsDir, 0o755))
	file := filepath.Join(recordsDir, "records.jsonl")
	require.NoError(t, os.WriteFile(file, []byte(records.String()), 0o644))
	out := filepath.Join(root, "report.html")

	code, _, stderr := runPrime(t, "", "mine", "-min-size", "5", "-format", "html", "-o", out, file)
	require.Equal(t, exitOK, code, stderr)
	page, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(page), `<span class="tag">blur</span>`)
	assert.Equal(t, 10, bytes.Count(page, []byte(`<img src="data:image/`)), "a thumbnail per example")
	assert.Zero(t, bytes.Count(page, []byte(`class="missing"`)), "no placeholder")
}

// TestMineStatisticsFlags checks -interval, -correction, -confident,
// -bootstrap 0 and the defaults they share with the library.
func TestMineStatisticsFlags(t *testing.T) {
	// A line of prime mine -format jsonl, with ci_method, which
	// prime.ReadModes leaves out.
	type line struct {
		prime.FailureMode
		CIMethod string `json:"ci_method"`
	}
	path := writeFile(t, "data.jsonl", plantedRecords())
	mine := func(args ...string) line {
		t.Helper()
		code, stdout, stderr := runPrime(t, "", append(append([]string{"mine", "-format", "jsonl"}, args...), path)...)
		require.Equal(t, exitOK, code, stderr)
		var m line
		require.NoError(t, json.Unmarshal([]byte(stdout), &m), stdout)
		require.Equal(t, []string{"blur", "dark"}, m.Tags)
		return m
	}
	// The mode: 50 records, 10 right, against 950 of which 855 are right.
	def := mine()
	require.Equal(t, 50, def.N)
	require.Equal(t, 0.2, def.Accuracy)

	// The command's defaults are the library's, the seed included.
	lib := analyzeFile(t, path)
	require.Len(t, lib.Modes, 1)
	assert.Equal(t, *lib.Modes[0].CI, *def.CI, "same seed, same bootstrap interval")
	assert.Equal(t, *lib.Modes[0].DropCI, *def.DropCI)
	assert.Equal(t, "bootstrap", def.CIMethod)

	wilson := mine("-interval", "wilson")
	lo, hi := stats.Wilson(50, 10, 0.95)
	assert.Equal(t, [2]float64{lo, hi}, *wilson.CI)
	lo, hi = stats.Newcombe(50, 10, 950, 855, 0.95)
	assert.Equal(t, [2]float64{lo, hi}, *wilson.DropCI)
	assert.Equal(t, "wilson", wilson.CIMethod)

	exact := mine("-interval", "clopper-pearson", "-confidence", "0.9")
	lo, hi = stats.ClopperPearson(50, 10, 0.9)
	assert.Equal(t, [2]float64{lo, hi}, *exact.CI)
	lo, hi = stats.NewcombeClopperPearson(50, 10, 950, 855, 0.9)
	assert.Equal(t, [2]float64{lo, hi}, *exact.DropCI)
	assert.Equal(t, "clopper-pearson", exact.CIMethod)

	off := mine("-bootstrap", "0")
	assert.Nil(t, off.CI, "no intervals: null, not zeros")
	assert.Nil(t, off.DropCI)
	assert.Empty(t, off.CIMethod)

	// Over the same tested sets, BY's q is BH's times 1 + 1/2 + … + 1/m.
	by := mine("-correction", "by")
	assert.Equal(t, def.P, by.P)
	assert.Greater(t, by.Q, def.Q)
	assert.Equal(t, def.DropP, by.DropP)

	// The drop, 0.9 − 0.2 = 0.7, exceeds 0.2 with confidence.
	assert.True(t, def.Confident)
	assert.Equal(t, stats.ScoreGreater(40, 50, 95, 950, 0.2), def.DropP)
	confident := mine("-confident")
	assert.Equal(t, def.Q, confident.Q)
	// At a threshold of 0.65 it does not: no mode is left.
	code, stdout, stderr := runPrime(t, "", "mine", "-format", "jsonl", "-confident", "-min-drop", "0.65", path)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout)
	code, stdout, stderr = runPrime(t, "", "mine", "-format", "jsonl", "-min-drop", "0.65", path)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, `"confident":false`)

	code, stdout, stderr = runPrime(t, "", "mine", "-confident", "-correction", "by", "-interval", "wilson", "-seed", "4", path)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "fdr 0.05 (benjamini-yekutieli), confident, interval wilson (newcombe for the drop), confidence 0.95, seed 4")
}
