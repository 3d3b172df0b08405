package prime_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/synth"
)

// workload generates a synthetic data set and the modes planted in it.
func workload(t testing.TB, cfg synth.Config) (*prime.Dataset, []synth.Planted) {
	t.Helper()
	var recs []prime.Record
	planted, err := synth.Generate(cfg, func(r *prime.Record) error {
		r.Tags = slices.Clone(r.Tags)
		recs = append(recs, *r)
		return nil
	})
	require.NoError(t, err)
	d, err := prime.NewDataset(recs)
	require.NoError(t, err)
	return d, planted
}

// smallWorkload is a few thousand records over 1,000 tags.
func smallWorkload(seed uint64, null bool) synth.Config {
	return synth.Config{Classes: 5, MinRecords: 600, MaxRecords: 800, VocabularySize: 1000,
		MinTags: 4, MaxTags: 10, Modes: 2, Null: null, Seed: seed}
}

func modeKeys(modes []prime.FailureMode) []string {
	var keys []string
	for _, m := range modes {
		keys = append(keys, m.Label+": "+strings.Join(m.Tags, ", "))
	}
	return keys
}

func plantedKeys(planted []synth.Planted) []string {
	var keys []string
	for _, p := range planted {
		keys = append(keys, p.Label+": "+strings.Join(p.Tags, ", "))
	}
	return keys
}

func TestAnalyzeFindsPlantedModes(t *testing.T) {
	d, planted := workload(t, smallWorkload(7, false))
	require.NotEmpty(t, planted)
	report, err := d.Analyze(context.Background(), nil)
	require.NoError(t, err)
	assert.Subset(t, modeKeys(report.Modes), plantedKeys(planted))
	for _, m := range report.Modes {
		assert.LessOrEqual(t, m.Q, prime.DefaultFDR)
		assert.LessOrEqual(t, m.P, m.Q)
		assert.GreaterOrEqual(t, m.Drop, prime.DefaultMinDrop-1e-12)
		assert.True(t, m.CI[0] <= m.Accuracy && m.Accuracy <= m.CI[1], "%v", m)
		assert.True(t, m.DropCI[0] <= m.Drop && m.Drop <= m.DropCI[1], "%v", m)
		assert.NotEmpty(t, m.Examples)
		assert.LessOrEqual(t, len(m.Examples), prime.MaxExamples)
		assert.False(t, m.Examples[0].Correct, "misclassified examples first")
	}
	assert.Positive(t, report.Hypotheses)
	assert.GreaterOrEqual(t, report.Evaluated, report.Hypotheses)
	assert.Equal(t, "benjamini-hochberg", report.Correction)
	assert.Equal(t, d.Len(), report.Records)
	modes := 0
	for _, c := range report.Classes {
		modes += c.Modes
	}
	assert.Equal(t, len(report.Modes), modes)
}

// TestAnalyzeDeterministic checks that the same input and seed give the same
// report, byte for byte, whatever the number of workers.
func TestAnalyzeDeterministic(t *testing.T) {
	d, _ := workload(t, smallWorkload(3, false))
	var want []byte
	for _, workers := range []int{1, 2, 3, 8} {
		report, err := d.Analyze(context.Background(), &prime.Options{Workers: workers, Seed: 42})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, json.NewEncoder(&b).Encode(report))
		if want == nil {
			want = b.Bytes()
			continue
		}
		assert.Equal(t, string(want), b.String(), "workers %d", workers)
	}
	other, err := d.Analyze(context.Background(), &prime.Options{Seed: 43})
	require.NoError(t, err)
	same, err := d.Analyze(context.Background(), &prime.Options{Seed: 42})
	require.NoError(t, err)
	require.NotEmpty(t, same.Modes)
	differ := false
	for i := range same.Modes {
		differ = differ || same.Modes[i].DropCI != other.Modes[i].DropCI || same.Modes[i].CI != other.Modes[i].CI
	}
	assert.True(t, differ, "the seed drives the bootstrap")
}

func TestAnalyzeOptions(t *testing.T) {
	d, _ := workload(t, smallWorkload(1, false))
	report, err := d.Analyze(context.Background(), nil)
	require.NoError(t, err)
	o := report.Options
	assert.Equal(t, prime.DefaultMinSize, o.MinSize)
	assert.Equal(t, prime.DefaultMinDrop, o.MinDrop)
	assert.Equal(t, prime.DefaultMinMarginalDrop, o.MinMarginalDrop)
	assert.Equal(t, prime.DefaultMaxTags, o.MaxTags)
	assert.Equal(t, prime.BaselineRest, o.Baseline)
	assert.Equal(t, prime.DefaultFDR, o.FDR)
	assert.Equal(t, prime.DefaultBootstrap, o.Bootstrap)
	assert.Equal(t, prime.DefaultConfidence, o.Confidence)

	off, err := d.Analyze(context.Background(), &prime.Options{Bootstrap: -1, FDR: 1, MinMarginalDrop: -1})
	require.NoError(t, err)
	assert.Zero(t, off.Options.Bootstrap)
	assert.Zero(t, off.Options.MinMarginalDrop)
	assert.GreaterOrEqual(t, len(off.Modes), len(report.Modes), "FDR 1 keeps every set meeting the definition")
	for _, m := range off.Modes {
		assert.Equal(t, [2]float64{}, m.CI)
	}

	bad := []struct {
		opts  prime.Options
		field string
	}{
		{prime.Options{MinSize: -1}, "MinSize"},
		{prime.Options{MinDrop: 1.5}, "MinDrop"},
		{prime.Options{MinMarginalDrop: 2}, "MinMarginalDrop"},
		{prime.Options{MaxTags: -1}, "MaxTags"},
		{prime.Options{MaxTags: 99}, "MaxTags"},
		{prime.Options{Baseline: "median"}, "Baseline"},
		{prime.Options{FDR: 1.5}, "FDR"},
		{prime.Options{Confidence: 1}, "Confidence"},
	}
	for _, tt := range bad {
		_, err := d.Analyze(context.Background(), &tt.opts)
		var oe *prime.OptionError
		require.ErrorAs(t, err, &oe, "%+v", tt.opts)
		assert.Equal(t, tt.field, oe.Name)
		assert.Contains(t, err.Error(), "out of range: want")
	}
}

func TestAnalyzeBaselineClass(t *testing.T) {
	d, _ := workload(t, smallWorkload(5, false))
	report, err := d.Analyze(context.Background(), &prime.Options{Baseline: prime.BaselineClass, FDR: 1})
	require.NoError(t, err)
	require.NotEmpty(t, report.Modes)
	for _, m := range report.Modes {
		assert.InDelta(t, m.ClassAcc-m.Accuracy, m.Drop, 1e-12)
	}
}

func TestAnalyzeCancelled(t *testing.T) {
	d, _ := workload(t, smallWorkload(1, false))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := d.Analyze(ctx, nil)
	require.ErrorIs(t, err, context.Canceled)
}

func TestAnalyzeProgress(t *testing.T) {
	d, _ := workload(t, smallWorkload(1, false))
	var calls []int
	_, err := d.Analyze(context.Background(), &prime.Options{Progress: func(done, total int) {
		assert.Equal(t, len(d.Labels()), total)
		calls = append(calls, done)
	}})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2, 3, 4, 5}, calls)
}

// TestFalseDiscoveries checks the false-discovery control: on workloads
// whose errors are independent of the tags, at most 10 of 100 runs report
// any failure mode (the level promises 5 on average), while every planted
// mode of workloads of the same sizes is still reported.
func TestFalseDiscoveries(t *testing.T) {
	runs := 0
	for seed := range uint64(100) {
		d, _ := workload(t, smallWorkload(seed, true))
		report, err := d.Analyze(context.Background(), &prime.Options{Bootstrap: -1})
		require.NoError(t, err)
		if len(report.Modes) > 0 {
			runs++
		}
	}
	t.Logf("%d of 100 null runs reported a failure mode", runs)
	assert.LessOrEqual(t, runs, 10)

	for seed := range uint64(20) {
		d, planted := workload(t, smallWorkload(seed, false))
		report, err := d.Analyze(context.Background(), &prime.Options{Bootstrap: -1})
		require.NoError(t, err)
		assert.Subset(t, modeKeys(report.Modes), plantedKeys(planted), "seed %d", seed)
	}
}

// TestValidate checks held-out validation: on a planted workload split in
// halves every planted mode holds on the held-out half; on a null workload
// mined with FDR 1, at most 15% of the modes hold.
func TestValidate(t *testing.T) {
	cfg := smallWorkload(11, false)
	cfg.MinModeSize, cfg.MaxModeSize = 120, 160
	d, planted := workload(t, cfg)
	mined, heldout := d.Split(0.5, rand.New(rand.NewPCG(1, 2)))
	report, err := mined.Analyze(context.Background(), nil)
	require.NoError(t, err)
	require.NoError(t, report.ValidateDataset(context.Background(), heldout))
	require.NotNil(t, report.Validation)
	holding := map[string]bool{}
	for _, m := range report.Modes {
		require.NotNil(t, m.Validation)
		holding[m.Label+": "+strings.Join(m.Tags, ", ")] = m.Validation.Holds
	}
	for _, k := range plantedKeys(planted) {
		assert.True(t, holding[k], "planted mode %s holds on the held-out half", k)
	}
	assert.Equal(t, heldout.Len(), report.Validation.Records)
	assert.Equal(t, len(report.Modes), report.Validation.Modes)
	assert.InDelta(t, pearson(report.Modes), report.Validation.Correlation, 1e-12)

	var modes, holds int
	for seed := range uint64(10) {
		d, _ := workload(t, smallWorkload(100+seed, true))
		mined, heldout := d.Split(0.5, rand.New(rand.NewPCG(seed, 2)))
		report, err := mined.Analyze(context.Background(), &prime.Options{FDR: 1, Bootstrap: -1, MinSize: 15})
		require.NoError(t, err)
		require.NoError(t, report.ValidateDataset(context.Background(), heldout))
		modes += report.Validation.Modes
		holds += report.Validation.Holding
	}
	t.Logf("null: %d of %d modes hold", holds, modes)
	require.Positive(t, modes)
	assert.LessOrEqual(t, float64(holds), 0.15*float64(modes))
}

// pearson is the correlation of mined against held-out drops, written out.
func pearson(modes []prime.FailureMode) float64 {
	var xs, ys []float64
	for _, m := range modes {
		if m.Validation.N > 0 {
			xs = append(xs, m.Drop)
			ys = append(ys, m.Validation.Drop)
		}
	}
	n := float64(len(xs))
	var sx, sy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
	}
	mx, my := sx/n, sy/n
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestReportErrAndExcept(t *testing.T) {
	d, planted := workload(t, smallWorkload(2, false))
	report, err := d.Analyze(context.Background(), nil)
	require.NoError(t, err)
	require.NotEmpty(t, report.Modes)
	err = report.Err()
	require.ErrorIs(t, err, prime.ErrFailureModes)
	for _, k := range plantedKeys(planted) {
		assert.Contains(t, err.Error(), k)
	}

	var b bytes.Buffer
	require.NoError(t, report.WriteJSONL(&b))
	accepted, err := prime.ReadModes(&b)
	require.NoError(t, err)
	require.NoError(t, report.Except(accepted).Err())
	assert.Error(t, report.Except(accepted[1:]).Err(), "a mode not in the baseline fails")
	assert.Len(t, report.Modes, len(accepted), "Except leaves the report as it was")

	_, err = prime.ReadModes(strings.NewReader("{\"label\":\"a\",\"tags\":[\"x\"]}\n\n{oops}\n"))
	assert.ErrorContains(t, err, "line 3")

	none := &prime.Report{}
	assert.NoError(t, none.Err())
}

func ExampleAnalyze() {
	// Ten images of cats: the five taken at night are mostly misclassified.
	var records []prime.Record
	for i := range 10 {
		r := prime.Record{ID: fmt.Sprint("cat", i), Label: "cat", Predicted: "cat", Tags: []string{"indoor"}}
		if i < 5 {
			r.Tags = append(r.Tags, "night")
			if i < 4 {
				r.Predicted = "dog"
			}
		}
		records = append(records, r)
	}
	report, err := prime.Analyze(context.Background(), records, &prime.Options{MinSize: 5, FDR: 1, Bootstrap: -1})
	if err != nil {
		panic(err)
	}
	for _, m := range report.Modes {
		fmt.Printf("%s: %v, n=%d, accuracy %.0f%% vs %.0f%%\n", m.Label, m.Tags, m.N, 100*m.Accuracy, 100*m.RestAccuracy)
	}
	// Output:
	// cat: [night], n=5, accuracy 20% vs 100%
}

func ExampleReport_Err() {
	records := []prime.Record{
		{ID: "1", Label: "fox", Predicted: "dog", Tags: []string{"snow"}},
		{ID: "2", Label: "fox", Predicted: "dog", Tags: []string{"snow"}},
		{ID: "3", Label: "fox", Predicted: "fox", Tags: []string{"grass"}},
		{ID: "4", Label: "fox", Predicted: "fox", Tags: []string{"grass"}},
	}
	report, err := prime.Analyze(context.Background(), records, &prime.Options{MinSize: 2, FDR: 1})
	if err != nil {
		panic(err)
	}
	// In a test: require.NoError(t, report.Err())
	err = report.Err()
	fmt.Println(errors.Is(err, prime.ErrFailureModes))
	fmt.Println(err)
	// Output:
	// true
	// prime: 1 failure mode:
	// 	fox: snow (n=2, accuracy 0.0% vs 100.0%)
}

// benchWorkloads are the workloads of BenchmarkAnalyze: ImageNet-scale
// records files (1000 classes of 1300 records over RAM's 4,585 tags, 10 to
// 25 tags per record) of every co-occurrence setting of prime synth, then
// fewer and more tags per record, and a 20,000-tag vocabulary. flags are
// the prime synth flags that write the same file, besides
// "-classes 1000 -records 1300".
var benchWorkloads = []struct {
	name, flags string
	cfg         synth.Config
}{
	{"default", "", synth.Config{}},
	{"clustered", "-cluster 0.9 -topic-size 12", synth.Config{Cluster: 0.9, TopicSize: 12}},
	{"unclustered", "-cluster -1", synth.Config{Cluster: -1}},
	{"skewed", "-skew 2", synth.Config{Skew: 2}},
	{"flat", "-skew 0.5", synth.Config{Skew: 0.5}},
	{"tags=5-10", "-min-tags 5 -max-tags 10", synth.Config{MinTags: 5, MaxTags: 10}},
	{"tags=20-40", "-min-tags 20 -max-tags 40", synth.Config{MinTags: 20, MaxTags: 40}},
	{"vocab=20000", "-tags 20000", synth.Config{VocabularySize: 20000}},
}

// BenchmarkAnalyze mines the workloads of benchWorkloads as prime mine
// -fdr 1 -bootstrap 0 does, from a Dataset in memory, and reports the tag
// sets counted (evaluated/op), the hypotheses and the modes.
func BenchmarkAnalyze(b *testing.B) {
	for _, w := range benchWorkloads {
		b.Run(w.name, func(b *testing.B) {
			cfg := w.cfg
			cfg.Classes, cfg.MinRecords, cfg.Seed = 1000, 1300, 1
			var buf bytes.Buffer
			rw := prime.NewRecordWriter(&buf)
			_, err := synth.Generate(cfg, rw.Write)
			require.NoError(b, err)
			require.NoError(b, rw.Flush())
			d, err := prime.ReadDataset(&buf, w.name)
			require.NoError(b, err)
			buf = bytes.Buffer{}
			var r *prime.Report
			for b.Loop() {
				r, err = d.Analyze(context.Background(), &prime.Options{FDR: 1, Bootstrap: -1})
				require.NoError(b, err)
			}
			b.ReportMetric(float64(r.Evaluated), "evaluated/op")
			b.ReportMetric(float64(r.Hypotheses), "hypotheses/op")
			b.ReportMetric(float64(len(r.Modes)), "modes/op")
		})
	}
}
