using Metering.DevBroker;

// appsettings.json lives next to the binary: read it from there whatever the working directory is.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.UseUrls(builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? DevBrokerOptions.DefaultControlUrl);
builder.Services.AddDevBroker();
var app = builder.Build();
app.UseExceptionHandler(); // problem details for framework 400s such as unreadable JSON
app.MapDevBrokerEndpoints();
await app.RunAsync();
