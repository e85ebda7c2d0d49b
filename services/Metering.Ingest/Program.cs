using Metering.Ingest.Events;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("http://127.0.0.1:8080");
builder.AddIngest();
var app = builder.Build();
app.MapDefaultEndpoints();
app.MapEventEndpoints();
app.MapOpenApi();
await app.RunAsync();
