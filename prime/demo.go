package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/demo"
)

// cmdDemo runs the whole pipeline on the demo data set: pictures drawn from
// a fixed seed, an ONNX tagger and an ONNX classifier (with two failure
// modes built into its weights), records, analysis, the table on standard
// output and an HTML report in a folder it names.
func cmdDemo(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("prime demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	out := fs.String("o", "", "write the pictures, models, records and report into `DIR`, new, empty or\nholding a previous demo's output (default: a new folder under the system's temporary folder)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, `usage: prime demo [-o DIR]

Runs the whole of prime on a small data set it makes: 999 pictures of
balls, boats and cars on grass, sand, snow and water, drawn from a fixed
seed, tagged by an ONNX tagger and classified by an ONNX classifier (both
built by the repository's own code and run with onnx-go). The classifier
has two failure modes built into its weights; prime finds them from the
pictures alone. No network, no flags needed.

flags:`)
		fs.PrintDefaults()
	}
	if code := e.parseFlags(fs, args, " (the folder is given by -o DIR)"); code >= 0 {
		return code
	}
	dir := *out
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp("", "prime-demo-")
	} else {
		err = os.MkdirAll(dir, 0o777)
	}
	if err != nil {
		return e.fail(err)
	}

	start := time.Now()
	res, err := demo.Run(ctx, dir, &demo.Options{Files: e.files, Progress: func(stage string) { e.say("%s", stage) }})
	if err != nil {
		if ctx.Err() != nil {
			e.say("%s", message(err))
			return exitInterrupted
		}
		return e.fail(err)
	}
	elapsed := time.Since(start)

	w := e.stdout
	fmt.Fprintf(w, "prime demo: %d pictures of balls, boats and cars on grass, sand, snow and water\n", len(res.Data))
	fmt.Fprintf(w, "(seed %d), tagged by an ONNX tagger (%s)\n", demo.Seed, strings.Join(demo.Tags(), ", "))
	fmt.Fprintf(w, "and classified by an ONNX classifier with two failure modes built into its weights;\n")
	fmt.Fprintf(w, "%.1f s from pictures to report.\n\n", elapsed.Seconds())
	if err := res.Report.WriteText(w); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(w, "\n%s\n", plantedSummary(res.Report.Modes))
	fmt.Fprintf(w, "HTML report: %s\n", res.HTML)
	fmt.Fprintf(w, "The pictures, models and records are in %s.\n", res.Dir)
	return exitOK
}

// plantedSummary compares the modes found with those built into the demo
// classifier.
func plantedSummary(found []prime.FailureMode) string {
	key := func(m prime.FailureMode) string { return m.Label + ": " + strings.Join(m.Tags, ", ") }
	var planted, got []string
	for _, m := range demo.Planted() {
		planted = append(planted, key(m))
	}
	for _, m := range found {
		got = append(got, key(m))
	}
	var hit, miss, extra []string
	for _, p := range planted {
		if slices.Contains(got, p) {
			hit = append(hit, p)
		} else {
			miss = append(miss, p)
		}
	}
	for _, g := range got {
		if !slices.Contains(planted, g) {
			extra = append(extra, g)
		}
	}
	s := "Built into the classifier: \"boat: sand\" (it takes water as the sign of a boat) and\n" +
		"\"car: blurry, small\" (a small car in a blurred picture shows too few red pixels).\n"
	if len(miss) == 0 && len(extra) == 0 {
		return s + "prime found both, and nothing else."
	}
	s += fmt.Sprintf("prime found %d of them", len(hit))
	if len(miss) > 0 {
		s += fmt.Sprintf(", missed %s", strings.Join(miss, "; "))
	}
	if len(extra) > 0 {
		s += fmt.Sprintf(", and also reported %s", strings.Join(extra, "; "))
	}
	return s + "."
}
