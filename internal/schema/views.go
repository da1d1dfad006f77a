package schema

// View is a table name that a workspace answers with a KQL query over its
// tables. Log Analytics does the same for the classic Application Insights
// names: customEvents is the workspace table AppEvents with the classic
// column names, which the end-of-call survey tutorial's query uses.
type View struct {
	Name  string
	Query string // KQL over the workspace's tables
}

var views = []View{
	{Name: "customEvents", Query: `AppEvents
| project timestamp = TimeGenerated, name = Name, itemType = 'customEvent',
    customDimensions = Properties, customMeasurements = Measurements,
    operation_Name = OperationName, operation_Id = OperationId, operation_ParentId = ParentId,
    operation_SyntheticSource = SyntheticSource, session_Id = SessionId, user_Id = UserId,
    user_AuthenticatedId = UserAuthenticatedId, user_AccountId = UserAccountId,
    application_Version = AppVersion, client_Type = ClientType, client_Model = ClientModel,
    client_OS = ClientOS, client_IP = ClientIP, client_City = ClientCity,
    client_StateOrProvince = ClientStateOrProvince, client_CountryOrRegion = ClientCountryOrRegion,
    client_Browser = ClientBrowser, cloud_RoleName = AppRoleName, cloud_RoleInstance = AppRoleInstance,
    appId = ResourceGUID, iKey = IKey, sdkVersion = SDKVersion, itemCount = ItemCount, _ResourceId`},
}

// ViewByName returns the view with exactly this name, or nil.
func ViewByName(name string) *View {
	for i := range views {
		if views[i].Name == name {
			return &views[i]
		}
	}
	return nil
}

// Views lists the views.
func Views() []View { return append([]View(nil), views...) }
