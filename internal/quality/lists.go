package quality

import "slices"

// The lists below are for code that writes these rules as a query (call
// search computes them for thousands of calls at once in the store): the
// same data as the functions above, never a second copy of it.

// ScreenShareMediaTypes are the MediaType values of screen-sharing streams.
var ScreenShareMediaTypes = []string{"VBSS", "AppSharing", "ScreenSharing", "ScreenShare"}

// VideoMediaTypes are the MediaType values of video streams; any other
// stream is rated as audio (see KindOf).
var VideoMediaTypes = []string{"Video"}

// Rating bounds on the 5-point scale: an average at or above RatingGoodFrom
// is good, at or above RatingAverageFrom average, below it poor.
const (
	RatingGoodFrom    = goodFrom
	RatingAverageFrom = averageFrom
)

// SuccessResultTypes are the ResultType values of operations that did not
// fail (compared without regard to case).
func SuccessResultTypes() []string { return slices.Clone(reliability.SuccessResultTypes) }

// UFDGoodValues are the DiagnosticQuality values of a diagnostic that is
// fine (compared without regard to case).
func UFDGoodValues() []string { return slices.Clone(reliability.UFDGoodValues) }

// UnexpectedCategoryMarker is the text whose presence in ResultCategory
// marks an ungraceful end.
func UnexpectedCategoryMarker() string { return reliability.UnexpectedCategoryMarker }

// UFDsThatNeverCount are the names (and aliases) of the diagnostics whose
// bad values are no issue.
func UFDsThatNeverCount() []string {
	var out []string
	for _, u := range UFDs() {
		if !u.Counts {
			out = append(out, u.Name)
			out = append(out, u.Aliases...)
		}
	}
	return out
}
