using Metering.Query.Accounts;
using Metering.Query.Assignments;
using Metering.Query.Meters;
using Metering.Query.Pipeline;
using Metering.Query.Usage;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("http://127.0.0.1:8081");
builder.AddQuery();
var app = builder.Build();
app.MapDefaultEndpoints();
app.MapMeterEndpoints();
app.MapUsageEndpoints();
app.MapAssignmentEndpoints();
app.MapAccountSettingsEndpoints();
app.MapPipelineHealthEndpoints();
app.MapOpenApi();
await app.RunAsync();
