package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/htmlreport"
	"github.com/failmodes/prime/internal/outfile"
	"github.com/failmodes/prime/mining"
	"github.com/failmodes/prime/recordfile"
	"github.com/failmodes/prime/stats"
	"github.com/failmodes/prime/tagger"
)

// mineFlags are the flags of prime mine, shared with prime run.
type mineFlags struct {
	minSize         int
	minDrop         float64
	minMarginalDrop float64
	maxTags         int
	baseline        string
	fdr             float64
	correction      stats.Method
	confident       bool
	interval        stats.Interval
	bootstrap       int
	confidence      float64
	seed            uint64
	validationLevel float64
	workers         int
	memoryLimit     byteSize
	format          string
	out             string
	failOnModes     bool
	validate        string
	split           float64
	accept          string

	// thresholds, when not nil, decide the records' tags again (prime
	// mine's -threshold, -thresholds).
	thresholds *prime.Thresholds
}

// thresholdFlags are prime mine's flags that decide the records' tags
// again from the scores they keep. prime run has flags of these names for
// its tagger.
type thresholdFlags struct {
	threshold  float64
	thresholds string
	vocab      string
}

func (f *thresholdFlags) register(fs *flag.FlagSet) {
	fs.Float64Var(&f.threshold, "threshold", 0, "decide the records' tags again at this threshold for every tag, from the tag scores they keep\n"+
		"(prime run keeps them above -tag-floor): a tag whose score is above it is the image's")
	fs.StringVar(&f.thresholds, "thresholds", "", "decide the records' tags again at per-tag thresholds: a `FILE` of one number in [0, 1] per line,\n"+
		"aligned with -vocab (RAM's ram_tag_list_threshold.txt)")
	fs.StringVar(&f.vocab, "vocab", "", "the tags of -thresholds: a `FILE` of one tag per line (RAM's ram_tag_list.txt)")
}

// load returns the Thresholds the flags give, nil when none; set tells
// whether a flag was given.
func (f *thresholdFlags) load(set map[string]bool) (*prime.Thresholds, error) {
	switch {
	case set["threshold"] && f.thresholds != "":
		return nil, errors.New("give -threshold (one for every tag) or -thresholds FILE (one per tag), not both")
	case f.thresholds != "" && f.vocab == "":
		return nil, errors.New("-thresholds needs -vocab FILE, the tags they are the thresholds of")
	case f.vocab != "" && f.thresholds == "":
		return nil, errors.New("-vocab is the tags of -thresholds FILE: give both")
	case set["threshold"]:
		if !(f.threshold >= 0 && f.threshold <= 1) {
			return nil, fmt.Errorf("-threshold %v out of range: want 0 to 1", f.threshold)
		}
		return prime.UniformThreshold(float32(f.threshold))
	case f.thresholds == "":
		return nil, nil
	}
	vocab, err := tagger.LoadVocabulary(f.vocab)
	if err != nil {
		return nil, fmt.Errorf("-vocab: %w", err)
	}
	values, err := tagger.LoadThresholds(f.thresholds)
	if err != nil {
		return nil, fmt.Errorf("-thresholds: %w", err)
	}
	if len(values) != len(vocab) {
		return nil, fmt.Errorf("-thresholds %s has %d values, but -vocab %s has %d tags", f.thresholds, len(values), f.vocab, len(vocab))
	}
	return prime.NewThresholds(vocab, values)
}

// uses are the files of the flags, for outfile.Distinct.
func (f *thresholdFlags) uses() []outfile.Use {
	return []outfile.Use{{Name: "-thresholds", Path: f.thresholds}, {Name: "-vocab", Path: f.vocab}}
}

// register adds the flags to fs.
func (f *mineFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.minSize, "min-size", prime.DefaultMinSize, "s: least number of records in a failure mode (≥ 1)")
	fs.Float64Var(&f.minDrop, "min-drop", prime.DefaultMinDrop, "a: least accuracy drop against the baseline (0 to 1)")
	fs.Float64Var(&f.minMarginalDrop, "min-marginal-drop", prime.DefaultMinMarginalDrop, "b: least accuracy drop against every proper subset (0 to 1)")
	fs.IntVar(&f.maxTags, "max-tags", prime.DefaultMaxTags, fmt.Sprintf("k: most tags in a failure mode (1 to %d)", prime.MaxTagsLimit))
	fs.StringVar(&f.baseline, "baseline", prime.BaselineRest.String(), "what the drop is measured against: rest or class")
	fs.Float64Var(&f.fdr, "fdr", prime.DefaultFDR, "keep modes with q at most this (above 0, at most 1; 1 turns the filter off)")
	fs.TextVar(&f.correction, "correction", stats.MethodBH,
		"multiple-testing correction of the q-values: bh (Benjamini–Hochberg, for independent or positively dependent tests) or by (Benjamini–Yekutieli, for any dependence); also holm, bonferroni")
	fs.BoolVar(&f.confident, "confident", false, "keep only modes whose drop exceeds -min-drop with confidence: q of the test of drop ≤ a at most -fdr (0.05 with -fdr 1)")
	fs.TextVar(&f.interval, "interval", stats.IntervalBootstrap,
		"method of the intervals: bootstrap (Wilson and Newcombe where a group is 0% or 100% right), wilson (Newcombe for the drop) or clopper-pearson")
	fs.IntVar(&f.bootstrap, "bootstrap", prime.DefaultBootstrap, "bootstrap resamples for intervals (0 turns every interval off)")
	fs.Float64Var(&f.confidence, "confidence", prime.DefaultConfidence, "level of the intervals (strictly between 0 and 1)")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the bootstrap and of -split")
	fs.Float64Var(&f.validationLevel, "validation-level", prime.DefaultValidationLevel,
		"significance level at which a mode holds on held-out records (strictly between 0 and 1)")
	fs.IntVar(&f.workers, "workers", 0, fmt.Sprintf("classes mined at once (0: one per CPU; at most %d, %d per CPU)", maxWorkers(), workersPerCPU))
	f.memoryLimit = 2 * prime.DefaultMemoryLimit
	fs.TextVar(&f.memoryLimit, "memory-limit", f.memoryLimit,
		"memory limit of the mining, `SIZE` such as 4GiB or 512MiB (0: none): the search holds at most half of it for the tag sets it keeps\nand the modes it finds, and exits with status 2 before it would need more (a larger -min-size or a smaller -max-tags needs less);\nprime mine keeps its whole heap under it")
	fs.StringVar(&f.format, "format", "text", "output format: "+strings.Join(formats, ", "))
	fs.StringVar(&f.out, "o", "", "write the report to `FILE` (replaced whole, its mode kept; - for standard output) instead of standard output")
	fs.BoolVar(&f.failOnModes, "fail-on-modes", false, "exit with status 1 when any failure mode is found (with -accept: any not accepted)")
	fs.StringVar(&f.accept, "accept", "", "accept the failure modes listed in `FILE`, the -format jsonl report of an earlier run:\n-fail-on-modes then fails only on modes not in it")
	fs.StringVar(&f.validate, "validate", "", "re-measure every mode on the held-out records in `FILE`")
	fs.Float64Var(&f.split, "split", 0, "hold out this share of each class (0 to 1, exclusive) to validate the modes on")
}

var formats = []string{"text", "json", "jsonl", "markdown", "html"}

// options checks the flags' ranges and converts them to prime.Options.
func (f *mineFlags) options() (*prime.Options, error) {
	bad := func(name string, v any, want string) error {
		return fmt.Errorf("-%s %v out of range: want %s", name, v, want)
	}
	switch {
	case f.minSize < 1:
		return nil, bad("min-size", f.minSize, "at least 1")
	case !(f.minDrop >= 0 && f.minDrop <= 1):
		return nil, bad("min-drop", f.minDrop, "0 to 1")
	case !(f.minMarginalDrop >= 0 && f.minMarginalDrop <= 1):
		return nil, bad("min-marginal-drop", f.minMarginalDrop, "0 to 1")
	case f.maxTags < 1 || f.maxTags > prime.MaxTagsLimit:
		return nil, bad("max-tags", f.maxTags, fmt.Sprintf("1 to %d", prime.MaxTagsLimit))
	case !(f.fdr > 0 && f.fdr <= 1):
		return nil, bad("fdr", f.fdr, "above 0, at most 1")
	case f.bootstrap < 0 || f.bootstrap > 1_000_000:
		return nil, bad("bootstrap", f.bootstrap, "0 to 1000000")
	case !(f.confidence > 0 && f.confidence < 1):
		return nil, bad("confidence", f.confidence, "strictly between 0 and 1")
	case !(f.validationLevel > 0 && f.validationLevel < 1):
		return nil, bad("validation-level", f.validationLevel, "strictly between 0 and 1")
	case f.memoryLimit != 0 && f.memoryLimit < 1<<20:
		return nil, bad("memory-limit", f.memoryLimit, "0 (no limit) or at least 1MiB")
	case f.workers < 0 || f.workers > maxWorkers():
		return nil, bad("workers", f.workers, fmt.Sprintf("0 to %d (%d per CPU)", maxWorkers(), workersPerCPU))
	case !(f.split >= 0 && f.split < 1):
		return nil, bad("split", f.split, "0 to 1, below 1")
	case f.split > 0 && f.validate != "":
		return nil, errors.New("-split and -validate exclude each other: validate on a held-out share or on a file, not both")
	}
	if !slices.Contains(formats, f.format) {
		return nil, fmt.Errorf("-format %q: want one of %s", f.format, strings.Join(formats, ", "))
	}
	var baseline prime.Baseline
	if baseline.UnmarshalText([]byte(f.baseline)) != nil {
		return nil, fmt.Errorf("-baseline %q: want rest or class", f.baseline)
	}
	return &prime.Options{
		MinSize:         f.minSize,
		MinDrop:         zeroAsNegative(f.minDrop),
		MinMarginalDrop: zeroAsNegative(f.minMarginalDrop),
		MaxTags:         f.maxTags,
		Baseline:        baseline,
		FDR:             f.fdr,
		Correction:      f.correction,
		Confident:       f.confident,
		Interval:        f.interval,
		Bootstrap:       zeroAsNegative(f.bootstrap),
		Confidence:      f.confidence,
		Seed:            f.seed,
		ValidationLevel: f.validationLevel,
		MemoryLimit:     zeroAsNegative(int64(f.memoryLimit / 2)),
		Workers:         f.workers,
	}, nil
}

// zeroAsNegative maps 0 to -1, with which prime.Options, prime.RunOptions
// and synth.Config ask for exactly zero, or for none (no intervals, no
// memory limit, no class scores).
func zeroAsNegative[T int | int64 | float64](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

// workersPerCPU bounds -workers: workers beyond the CPUs add no speed, and
// each holds its own share of memory (a model instance in prime run).
const workersPerCPU = 4

// maxWorkers is the largest -workers accepted.
func maxWorkers() int { return workersPerCPU * runtime.NumCPU() }

func cmdMine(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("prime mine", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f mineFlags
	f.register(fs)
	var tf thresholdFlags
	tf.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), mineUsage)
		fs.PrintDefaults()
	}
	operands, code := parseCommand(fs, args)
	if code >= 0 {
		return code
	}
	if len(operands) == 0 {
		e.say("want a records file (or a folder, a glob pattern, - for standard input)")
		fs.Usage()
		return exitBad
	}
	if _, err := f.options(); err != nil {
		return e.fail(err)
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	th, err := tf.load(set)
	if err != nil {
		return e.fail(err)
	}
	f.thresholds = th
	if f.memoryLimit > 0 {
		// The garbage collector works harder as the heap nears the limit.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(f.memoryLimit)))
	}
	srcs, err := recordfile.Sources(operands...)
	if err != nil {
		return e.fail(err)
	}
	var uses []outfile.Use
	for _, src := range srcs {
		uses = append(uses, outfile.Use{Name: "records file", Path: src.Path}) // Distinct leaves "-" out
	}
	if err := outfile.Distinct(slices.Concat(uses, tf.uses(), f.uses(e))...); err != nil {
		return e.fail(err)
	}
	d, err := readSources(ctx, e, srcs, f.thresholds)
	if err != nil {
		return e.fail(err)
	}
	return mineDataset(ctx, e, d, recordfile.ImageDir(srcs), &f)
}

const mineUsage = `usage: prime mine [flags] FILE|FOLDER|PATTERN|- ...

Mine records files for failure modes. A records file is JSON Lines, plain or
compressed with gzip or zstd, or Parquet, told apart by content, not by
name. A folder is read whole, as Spark, DuckDB, Ray and pandas write them
(part files; hive-style label=NAME folders give their records that label);
a glob pattern ('out/part-*.parquet') reads the files it matches; - reads
standard input. Every file given is read, in order, into one data set.
Flags may come before or after the files.

Records that keep their tags' scores (prime run keeps every tag's above
-tag-floor) can be mined with their tags decided again at other
thresholds, without running the tagger again: -threshold for every tag, or
-thresholds and -vocab for one per tag (RAM's files). A tag is the image's
when its score is above its threshold; a threshold below a record's floor
cannot be decided, and is refused.

flags:
`

// uses are the files of -validate, -accept and -o, for outfile.Distinct.
func (f *mineFlags) uses(e *env) []outfile.Use {
	return []outfile.Use{{Name: "-validate", Path: f.validate}, {Name: "-accept", Path: f.accept}, e.outputUse(f.out)}
}

// absImages makes the image paths of r's examples that lead out of dir,
// as prime run writes them when the records file is in a folder of its own
// ("../images/cat/1.png"), absolute, so that htmlreport reads them; the
// other relative paths it looks up in dir, and absolute ones as they are.
func absImages(r *prime.Report, dir string) *prime.Report {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return r // the paths stay as they are, and their thumbnails say why
	}
	for i := range r.Modes {
		for j := range r.Modes[i].Examples {
			ex := &r.Modes[i].Examples[j]
			if ex.Image != "" && !filepath.IsAbs(ex.Image) && !fs.ValidPath(path.Clean(ex.Image)) {
				ex.Image = filepath.Join(abs, filepath.FromSlash(ex.Image))
			}
		}
	}
	return r
}

// readDataset reads the records files that paths name (files, folders,
// glob patterns, "-" for standard input), in any format package recordfile
// reads. It returns the folder that the records' relative image paths are
// relative to.
func readDataset(ctx context.Context, e *env, th *prime.Thresholds, paths ...string) (d *prime.Dataset, imageDir string, err error) {
	srcs, err := recordfile.Sources(paths...)
	if err != nil {
		return nil, "", err
	}
	d, err = readSources(ctx, e, srcs, th)
	return d, recordfile.ImageDir(srcs), err
}

// readSources reads the records files srcs into one Dataset, their tags
// decided again at th when not nil.
func readSources(ctx context.Context, e *env, srcs []recordfile.Source, th *prime.Thresholds) (*prime.Dataset, error) {
	o := &recordfile.Options{Stdin: e.stdin, Thresholds: th}
	if p := progressPrinter(e.stderr, "MB of records read"); p != nil {
		mb := func(n int64) int { return int((n + 1<<20 - 1) >> 20) }
		o.Progress = func(done, total int64) { p(mb(done), mb(total)) }
	}
	return recordfile.Read(ctx, srcs, o)
}

// readAccepted reads the modes of an -accept file.
func readAccepted(path string) ([]prime.FailureMode, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close() // read only
	modes, err := prime.ReadModes(file)
	if err != nil {
		return nil, fmt.Errorf("-accept %s: %s", path, message(err))
	}
	return modes, nil
}

// mineDataset analyses d with the flags f, validates when asked, and writes
// the report. imageDir is the folder the records' image paths are relative
// to. It returns the exit status.
func mineDataset(ctx context.Context, e *env, d *prime.Dataset, imageDir string, f *mineFlags) int {
	opts, err := f.options()
	if err != nil {
		return e.fail(err)
	}
	var accepted []prime.FailureMode
	if f.accept != "" {
		if accepted, err = readAccepted(f.accept); err != nil {
			return e.fail(err)
		}
	}
	var heldout *prime.Dataset
	switch {
	case f.split > 0:
		n := d.Len()
		d, heldout = d.Split(f.split, rand.New(rand.NewPCG(f.seed, 0x5EED)))
		if d.Len() == 0 || heldout.Len() == 0 {
			return e.fail(fmt.Errorf("-split %v of %s leaves %s to mine and %s held out: want both sides non-empty",
				f.split, count(n, "record", "records"), count(d.Len(), "record", "records"), count(heldout.Len(), "record", "records")))
		}
	case f.validate != "":
		if heldout, _, err = readDataset(ctx, e, f.thresholds, f.validate); err != nil {
			return e.fail(err)
		}
	}
	opts.Progress = progressPrinter(e.stderr, "classes mined")
	report, err := d.Analyze(ctx, opts)
	if _, ok := errors.AsType[*mining.LimitError](err); ok {
		e.fail(err)
		e.say("to search less, raise -min-size (now %d) or lower -max-tags (now %d); to allow more, raise -memory-limit (now %v, half of it for the search)",
			f.minSize, f.maxTags, f.memoryLimit)
		return exitBad
	}
	if err != nil {
		return e.fail(err)
	}
	if heldout != nil {
		if err := report.ValidateDataset(ctx, heldout); err != nil {
			return e.fail(err)
		}
	}
	write := func(w io.Writer) error {
		switch f.format {
		case "json":
			return report.WriteJSON(w)
		case "jsonl":
			return report.WriteJSONL(w)
		case "markdown":
			return report.WriteMarkdown(w)
		case "html":
			return htmlreport.Write(w, absImages(report, imageDir), os.DirFS(imageDir))
		default:
			return report.WriteText(w)
		}
	}
	if err := e.writeOutput(f.out, write); err != nil {
		return e.fail(err)
	}
	modes := count(len(report.Modes), "failure mode", "failure modes")
	gate := report
	if f.accept != "" {
		gate = report.Except(accepted)
		modes += fmt.Sprintf(", %d not accepted in %s", len(gate.Modes), f.accept)
	}
	if !isStdio(f.out) {
		e.say("%s; report written to %s", modes, f.out)
	} else if f.accept != "" {
		e.say("%s", modes)
	}
	if f.failOnModes && len(gate.Modes) > 0 {
		return exitModes
	}
	return exitOK
}
