// Command gotest is the evaluation harness of a made-up weather-photo
// classifier, and its test (gotest_test.go) is the point of the example:
// a go test that fails when the classifier has a failure mode, or, with a
// baseline of accepted modes, only when a new one appears.
//
// The harness evaluates a model version on a fixed, seeded test set and
// returns one prime.Record per photo: its true class, the model's
// prediction and its tags. Version "v1" has one known weakness: it calls
// every photo of fog at night cloudy, a mode accepted in
// testdata/accepted.jsonl. Version "v2" also gets every snowy photo taken
// at dawn wrong, a new failure mode. Version "fixed" errs at random, 8% of
// the time, whatever the tags.
//
// Run it to see the modes of each version:
//
//	go run ./examples/gotest [-model v1|v2|fixed]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/failmodes/prime"
)

func main() {
	os.Exit(run(context.Background(), os.Stdout, os.Stderr, os.Args[1:]))
}

// run is main with its outside world passed in, for the test.
func run(ctx context.Context, stdout, stderr io.Writer, args []string) int {
	fs := flag.NewFlagSet("gotest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "v1", "model version: v1, v2 or fixed")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	records, err := Evaluate(*model)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	report, err := prime.Analyze(ctx, records, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if err := report.WriteText(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	return 0
}

// Classes and tags of the made-up test set.
var (
	classes = []string{"cloudy", "foggy", "rainy", "snowy", "sunny"}
	times   = []string{"dawn", "day", "dusk", "night"}
	scenes  = []string{"city", "coast", "field", "forest", "mountain"}
	extras  = []string{"people", "road", "trees", "vehicle", "water"}
)

// perClass is the number of test photos of each class.
const perClass = 400

// Evaluate returns the records of a model version on the test set: the
// same photos and tags for every version (seeded), and the version's
// predictions. A real harness would run the model here.
func Evaluate(version string) ([]prime.Record, error) {
	if !slices.Contains([]string{"v1", "v2", "fixed"}, version) {
		return nil, fmt.Errorf("gotest: unknown model version %q (want v1, v2 or fixed)", version)
	}
	data := rand.New(rand.NewPCG(7, 1))  // the test set
	model := rand.New(rand.NewPCG(7, 2)) // the model's mistakes
	var records []prime.Record
	for _, label := range classes {
		for i := range perClass {
			tags := []string{times[data.IntN(len(times))], scenes[data.IntN(len(scenes))]}
			for _, e := range extras {
				if data.Float64() < 0.3 {
					tags = append(tags, e)
				}
			}
			pred := label
			switch {
			case version == "fixed":
			case label == "foggy" && slices.Contains(tags, "night"):
				pred = "cloudy"
			case version == "v2" && label == "snowy" && slices.Contains(tags, "dawn"):
				pred = "sunny"
			}
			if pred == label && model.Float64() < 0.08 {
				others := slices.DeleteFunc(slices.Clone(classes), func(c string) bool { return c == label })
				pred = others[model.IntN(len(others))]
			}
			records = append(records, prime.Record{
				ID: fmt.Sprintf("%s-%03d", label, i), Label: label, Predicted: pred, Tags: tags,
			})
		}
	}
	return records, nil
}
