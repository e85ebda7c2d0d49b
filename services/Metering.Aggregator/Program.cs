var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("http://127.0.0.1:8082");
builder.AddAggregator();
var app = builder.Build();
app.MapDefaultEndpoints();
await app.RunAsync();
