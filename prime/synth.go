package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/outfile"
	"github.com/failmodes/prime/internal/synth"
	"github.com/failmodes/prime/recordfile"
)

const synthUsage = `usage: prime synth [flags]

Writes a records file (JSON Lines, the input of prime mine) with planted
failure modes: in each class, sets of 1, 2 and 3 tags whose records the
classifier gets wrong far more often than the rest of the class, while no
proper subset of a planted set is a failure mode alone. Tags are drawn from a
skewed, class-dependent distribution over the Recognize Anything Model's
4,585 tags, with tags that co-occur; most records carry few tags, some many.
The same flags and -seed give the same file, byte for byte.

  prime synth | prime mine -
  prime synth -classes 1000 -records 1300 -o imagenet.jsonl -truth planted.jsonl
  prime synth -null -classes 5 -records 600     errors independent of the tags
  prime synth -cluster 0.9 -topic-size 12        tags that go together more
  prime synth -format parquet -o records.parquet  the same records as Parquet

-cluster, -topic-size and -skew change which tags co-occur, and so how many
tag sets prime mine counts; -tags above 4,585 adds made-up tags to RAM's.

A mode whose records would not fit in three quarters of its class is left
out: small classes get fewer than -modes. -truth lists the modes planted.

Flags:
`

// synthFlags are prime synth's flags, as parsed.
type synthFlags struct {
	classes          int
	records          string
	tags             int
	minTags, maxTags int
	modes            int
	cluster, skew    float64
	topicSize        int
	accuracy         string
	modeAccuracy     string
	modeSize         string
	seed             uint64
	null             bool
	truth, out       string
	format           string
}

func cmdSynth(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("prime synth", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), synthUsage)
		fs.PrintDefaults()
	}
	var f synthFlags
	nvocab := len(synth.RAMTags())
	fs.IntVar(&f.classes, "classes", synth.DefaultClasses, fmt.Sprintf("number of classes, 1 to %d", synth.ClassesLimit))
	fs.StringVar(&f.records, "records", strconv.Itoa(synth.DefaultRecords),
		fmt.Sprintf("records per class: `N`, or LO-HI drawn for each class, 1 to %d", synth.RecordsLimit))
	fs.IntVar(&f.tags, "tags", nvocab, fmt.Sprintf("vocabulary size `V`: a seeded sample of RAM's %d tags, or above %d, RAM's and made-up ones, at most %d", nvocab, nvocab, synth.VocabularyLimit))
	fs.IntVar(&f.minTags, "min-tags", synth.DefaultMinTags, "fewest tags per record, 1 to -max-tags")
	fs.IntVar(&f.maxTags, "max-tags", synth.DefaultMaxTags, fmt.Sprintf("most tags per record, -min-tags to %d", synth.TagsLimit))
	fs.IntVar(&f.modes, "modes", synth.DefaultModes, fmt.Sprintf("failure modes planted per class, 0 to %d", synth.ModesLimit))
	fs.Float64Var(&f.cluster, "cluster", 0, fmt.Sprintf("how strongly tags co-occur: each record draws topics (groups of a class's popular tags) while a uniform draw is below `C`, 0 to %v (0: the default mix, -1: no topics)", synth.ClusterLimit))
	fs.IntVar(&f.topicSize, "topic-size", 6, fmt.Sprintf("most tags in a topic, 2 to %d: topics have half to all of it", synth.TopicLimit))
	fs.Float64Var(&f.skew, "skew", 0, "exponent `S` of the Zipf-like popularity of each class's tags, 0.1 to 4: the higher, the fewer tags most records share (0: drawn in 0.9-1.2 for each class)")
	fs.StringVar(&f.accuracy, "accuracy", fmt.Sprintf("%v-%v", synth.DefaultMinAccuracy, synth.DefaultMaxAccuracy),
		"each class's accuracy outside its modes: `A`, or LO-HI drawn for each class, 0 to 1")
	fs.StringVar(&f.modeAccuracy, "mode-accuracy", fmt.Sprintf("%v-%v", synth.DefaultMinModeAccuracy, synth.DefaultMaxModeAccuracy),
		fmt.Sprintf("each planted mode's accuracy: `A` or LO-HI, 0 to (-accuracy's LO − %v)", synth.ModeGap))
	fs.StringVar(&f.modeSize, "mode-size", fmt.Sprintf("%d-%d", synth.DefaultMinModeSize, synth.DefaultMaxModeSize),
		"records carrying each planted mode: `N` or LO-HI, at least 1 (30 to be found at prime mine's default -min-size)")
	fs.Uint64Var(&f.seed, "seed", 1, "random seed")
	fs.BoolVar(&f.null, "null", false, "plant nothing: each record is wrong with its class's error rate, whatever its tags")
	fs.StringVar(&f.truth, "truth", "", "write the planted modes to `FILE` as JSON Lines: {\"label\",\"tags\",\"n\",\"accuracy\"}")
	fs.StringVar(&f.format, "format", "jsonl", "records file format: jsonl (JSON Lines) or parquet")
	fs.StringVar(&f.out, "o", "", "write the records to `FILE` (replaced whole, its mode kept) instead of standard output")
	if code := e.parseFlags(fs, args, ""); code >= 0 {
		return code
	}
	cfg, err := f.config()
	if err != nil {
		return e.fail(err)
	}
	if f.format != "jsonl" && f.format != "parquet" {
		return e.fail(fmt.Errorf("-format %q: want jsonl or parquet", f.format))
	}
	if err := outfile.Distinct(e.outputUse(f.out), outfile.Use{Name: "-truth", Path: f.truth, Output: true}); err != nil {
		return e.fail(err)
	}
	if err := writeSynth(ctx, e, cfg, f.format, f.out, f.truth); err != nil {
		return e.fail(err)
	}
	return exitOK
}

// config checks the flags and returns the Config they ask for. Errors name
// the flag and its accepted range.
func (f *synthFlags) config() (synth.Config, error) {
	bad := func(name string, value any, want string, args ...any) error {
		return fmt.Errorf("-%s %v out of range: want %s", name, value, fmt.Sprintf(want, args...))
	}
	// Config reads 0 as "the default" and a negative value as 0.
	cfg := synth.Config{Classes: f.classes, VocabularySize: f.tags, MinTags: f.minTags, MaxTags: f.maxTags,
		Modes: zeroAsNegative(f.modes), Cluster: f.cluster, TopicSize: f.topicSize, Skew: f.skew, Seed: f.seed, Null: f.null}
	if f.classes < 1 || f.classes > synth.ClassesLimit {
		return cfg, bad("classes", f.classes, "1 to %d", synth.ClassesLimit)
	}
	lo, hi, ok := parseRange(f.records, strconv.Atoi)
	if !ok || lo < 1 || hi > synth.RecordsLimit {
		return cfg, bad("records", f.records, "N or LO-HI, 1 ≤ LO ≤ HI ≤ %d", synth.RecordsLimit)
	}
	cfg.MinRecords, cfg.MaxRecords = lo, hi
	if f.maxTags < 1 || f.maxTags > synth.TagsLimit {
		return cfg, bad("max-tags", f.maxTags, "1 to %d", synth.TagsLimit)
	}
	if f.minTags < 1 || f.minTags > f.maxTags {
		return cfg, bad("min-tags", f.minTags, "1 to %d (-max-tags)", f.maxTags)
	}
	if f.modes < 0 || f.modes > synth.ModesLimit {
		return cfg, bad("modes", f.modes, "0 to %d", synth.ModesLimit)
	}
	planted := f.modes
	if f.null {
		planted = 0
	}
	if v := synth.MinVocabulary(f.maxTags, planted); f.tags < v || f.tags > synth.VocabularyLimit {
		return cfg, bad("tags", f.tags, "%d to %d (at least 2 x -max-tags + the planted tags of a class)", v, synth.VocabularyLimit)
	}
	if !(f.cluster >= -1 && f.cluster <= synth.ClusterLimit) {
		return cfg, bad("cluster", f.cluster, "-1 to %v", synth.ClusterLimit)
	}
	if f.topicSize < 2 || f.topicSize > synth.TopicLimit {
		return cfg, bad("topic-size", f.topicSize, "2 to %d", synth.TopicLimit)
	}
	if f.skew != 0 && !(f.skew >= 0.1 && f.skew <= 4) {
		return cfg, bad("skew", f.skew, "0.1 to 4, or 0")
	}
	float := func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }
	alo, ahi, ok := parseRange(f.accuracy, float)
	if !ok || alo < 0 || ahi > 1 {
		return cfg, bad("accuracy", f.accuracy, "A or LO-HI, 0 ≤ LO ≤ HI ≤ 1")
	}
	mlo, mhi, ok := parseRange(f.modeAccuracy, float)
	if !ok || mlo < 0 || mhi > 1 {
		return cfg, bad("mode-accuracy", f.modeAccuracy, "A or LO-HI, 0 ≤ LO ≤ HI ≤ 1")
	}
	if planted > 0 && mhi > alo-synth.ModeGap+1e-12 {
		return cfg, bad("mode-accuracy", f.modeAccuracy, "at most %.4g: -accuracy's LO (%v) − %v", alo-synth.ModeGap, alo, synth.ModeGap)
	}
	cfg.MinAccuracy, cfg.MaxAccuracy = zeroAsNegative(alo), zeroAsNegative(ahi)
	cfg.MinModeAccuracy, cfg.MaxModeAccuracy = zeroAsNegative(mlo), zeroAsNegative(mhi)
	slo, shi, ok := parseRange(f.modeSize, strconv.Atoi)
	if !ok || slo < 1 || shi > synth.RecordsLimit {
		return cfg, bad("mode-size", f.modeSize, "N or LO-HI, 1 ≤ LO ≤ HI ≤ %d", synth.RecordsLimit)
	}
	cfg.MinModeSize, cfg.MaxModeSize = slo, shi
	return cfg, nil
}

// parseRange parses "N" or "LO-HI" with LO ≤ HI, each number with parse.
func parseRange[T int | float64](s string, parse func(string) (T, error)) (lo, hi T, ok bool) {
	a, b, found := strings.Cut(s, "-")
	if !found {
		b = a
	}
	lo, err1 := parse(strings.TrimSpace(a))
	hi, err2 := parse(strings.TrimSpace(b))
	return lo, hi, err1 == nil && err2 == nil && lo <= hi
}

// writeSynth generates cfg's records to out (standard output when "" or
// "-") in format ("jsonl" or "parquet") and its planted modes to truth
// (none when ""), each file replaced whole only once it is complete.
func writeSynth(ctx context.Context, e *env, cfg synth.Config, format, out, truth string) error {
	var planted []synth.Planted
	gen := func(w io.Writer) error {
		var write func(*prime.Record) error
		var finish func() error
		if format == "parquet" {
			pw := recordfile.NewParquetWriter(w)
			write, finish = pw.Write, pw.Close
		} else {
			jw := prime.NewRecordWriter(w)
			write, finish = jw.Write, jw.Flush
		}
		n := 0
		var err error
		planted, err = synth.Generate(cfg, func(r *prime.Record) error {
			if n++; n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			return write(r)
		})
		if err != nil {
			return err
		}
		return finish()
	}
	if err := e.writeOutput(out, gen); err != nil {
		return err
	}
	if truth == "" {
		return nil
	}
	return e.files.WriteFile(truth, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for i := range planted {
			if err := enc.Encode(&planted[i]); err != nil {
				return err
			}
		}
		return nil
	})
}
