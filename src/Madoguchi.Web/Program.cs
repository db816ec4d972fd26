using Madoguchi.Web;

var app = MadoguchiApp.Create(args);
await app.RunAsync();

/// <summary>Entry point, public so that tests can host the app with WebApplicationFactory.</summary>
public partial class Program;
