package prime_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"slices"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/classifier"
	"github.com/failmodes/prime/tagger"
)

// evaluate is a Go evaluation harness: the images of a folder through an
// ONNX tagger and the ONNX classifier under test, then the search for
// failure modes. The README quotes it.
func evaluate(ctx context.Context, dir string) (*prime.Report, error) {
	images, err := prime.ImageFolder(dir) // dir/<class>/<image>, as torchvision's ImageFolder
	if err != nil {
		return nil, err
	}
	tg, err := tagger.NewONNX("tagger.onnx", &tagger.ONNXOptions{VocabularyFile: "tags.txt"})
	if err != nil {
		return nil, err
	}
	defer tg.Close()
	cl, err := classifier.NewONNX("model.onnx", &classifier.ONNXOptions{LabelsFile: "labels.txt"})
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var records []prime.Record
	for rec, err := range prime.Run(ctx, slices.Values(images), tg, cl, nil) {
		var bad *prime.ImageError
		switch {
		case errors.As(err, &bad):
			log.Print(err) // an image that cannot be read is skipped, not counted
		case err != nil:
			return nil, err // a plug-in's error, or ctx's, ends the run
		default:
			records = append(records, rec)
		}
	}
	return prime.Analyze(ctx, records, nil) // nil: the defaults
}

// A harness that evaluates the classifier on the images of the folder
// "val", with ONNX models beside it (see evaluate).
func Example_harness() {
	report, err := evaluate(context.Background(), "val")
	if err != nil {
		fmt.Println(err)
		return
	}
	report.WriteText(os.Stdout)
}
