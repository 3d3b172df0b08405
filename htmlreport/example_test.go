package htmlreport_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/htmlreport"
)

func Example() {
	// 100 photos of foxes; the classifier gets every one in snow wrong.
	var records []prime.Record
	for i := range 100 {
		rec := prime.Record{ID: fmt.Sprint("fox/", i), Label: "fox", Predicted: "fox", Tags: []string{"grass"}}
		if i%3 == 0 {
			rec.Predicted, rec.Tags = "wolf", []string{"snow"}
		}
		records = append(records, rec)
	}
	report, err := prime.Analyze(context.Background(), records, nil)
	if err != nil {
		panic(err)
	}
	// Image paths in the records are looked up relative to the folder
	// given; these records have none, so there are no thumbnails.
	var page strings.Builder
	if err := htmlreport.Write(&page, report, os.DirFS(".")); err != nil {
		panic(err)
	}
	fmt.Println(strings.Count(page.String(), `<article class="mode"`), "failure mode:", report.Modes[0].Tags)
	// Output: 1 failure mode: [snow]
}
