package simulate

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Register prepares a callscope server to store what the simulator sends:
// it registers each resource (the Application Insights one too, whose
// AppEvents would otherwise be dropped) with its tenant and creates a
// diagnostic setting that sends all its logs (the allLogs group) to a
// workspace, through the administration API at baseURL. adminKey may be
// empty for a server that runs open.
func Register(ctx context.Context, baseURL, adminKey string, resources []Resource, workspace string) error {
	if resources == nil {
		resources = DefaultResources()
	}
	base := strings.TrimRight(baseURL, "/")
	for _, res := range resources {
		path := base + "/v1/resources/" + url.PathEscape(strings.TrimPrefix(res.ID, "/"))
		steps := []struct{ url, body string }{
			{path, fmt.Sprintf(`{"tenantId":%q}`, res.TenantID)},
			{path + "/diagnosticSettings/simulator", fmt.Sprintf(`{"workspaceId":%q,"logs":[{"categoryGroup":"allLogs","enabled":true}]}`, workspace)},
		}
		for _, s := range steps {
			req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.url, strings.NewReader(s.body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			if adminKey != "" {
				req.Header.Set("Authorization", "Bearer "+adminKey)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			reply, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode/100 != 2 {
				return fmt.Errorf("registering %s: %s: %s", res.ID, resp.Status, strings.TrimSpace(string(reply)))
			}
		}
	}
	return nil
}
