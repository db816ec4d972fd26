using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Catalog;
using Madoguchi.Web.Features.Submissions;
using Madoguchi.Web.Shared.Localization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.Extensions.Primitives;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// Renders every page of a definition exactly as a resident gets it — the real fill page
/// (/forms/{slug}/{step}) run in process through its endpoint, on a draft of a stand-in form — and
/// checks the HTML with <see cref="RenderedPageCheck"/>, once as first shown and once after wrong answers.
/// The stand-in form, version and draft live in a transaction that is always rolled back, so a check
/// never leaves a row behind, whatever happens.
/// </summary>
public static partial class FormPreview
{
    /// <summary>Answers to render page <paramref name="Page"/> with (so its conditional items show); <paramref name="Given"/> are the keys set on purpose.</summary>
    public sealed record Scenario(int Page, JsonObject Answers, IReadOnlyList<string> Given);

    private const string FillPage = "/Submissions/FormFill";

    [GeneratedRegex("""name="__RequestVerificationToken"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="__RequestVerificationToken""")]
    private static partial Regex AntiforgeryField();

    /// <param name="db">The caller's context: the check runs on its connection, inside its transaction if it has one (a savepoint then).</param>
    public static async Task<IReadOnlyList<FormError>> CheckAsync(MadoguchiDbContext db, IServiceScopeFactory scopes, FormDefinition definition, Procedure procedure, IReadOnlyList<Scenario> scenarios, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(procedure);
        ArgumentNullException.ThrowIfNull(scenarios);
        // The caller's connection and transaction: the procedure may not be committed yet (demo load),
        // and SQLite would make a second writer wait for the caller's lock forever.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
            var transaction = db.Database.CurrentTransaction!;
            await transaction.CreateSavepointAsync(Savepoint, ct);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                // A context of its own (its own change tracker) on the same connection: the caller's pending changes stay the caller's.
                // Made for this scope, not taken from the pool (ScopedDbContext), since it borrows the caller's connection.
                var mine = DataModule.CreateContext(scope.ServiceProvider.GetRequiredService<Storage>());
                scope.ServiceProvider.GetRequiredService<ScopedDbContext>().Lend(mine);
                mine.Database.SetDbConnection(db.Database.GetDbConnection());
                await mine.Database.UseTransactionAsync(transaction.GetDbTransaction(), ct);
                return await RenderAllAsync(scope.ServiceProvider, mine, definition, procedure, scenarios, ct);
            }
            finally
            {
                await transaction.RollbackToSavepointAsync(Savepoint, CancellationToken.None);
                if (own is not null) await own.RollbackAsync(CancellationToken.None);
                own?.Dispose();
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private const string Savepoint = "publish_check";

    private static async Task<IReadOnlyList<FormError>> RenderAllAsync(IServiceProvider sp, MadoguchiDbContext db, FormDefinition definition, Procedure procedure, IReadOnlyList<Scenario> scenarios, CancellationToken ct)
    {
        var endpoint = await FillEndpointAsync(sp);
        var now = sp.GetRequiredService<TimeProvider>().GetUtcNow();
        var json = FormJson.Write(definition with { ProcedureCode = procedure.Code });
        var sha = FormJson.Sha256(json);
        var form = new Form
        {
            Slug = $"publish-check-{Guid.NewGuid():N}",
            ProcedureId = procedure.Id,
            Title = definition.Title.Ja,
            WorkingJson = json,
            WorkingSha256 = sha,
            CurrentVersion = 1,
            CreatedAt = now,
            UpdatedAt = now,
            UpdatedBy = "publish-check",
        };
        var version = new FormVersion { FormId = form.Id, Number = 1, DefinitionJson = json, Sha256 = sha, PublishedAt = now, PublishedBy = "publish-check" };
        var secret = ReceiptNumbers.NewSecret();
        var draft = new Draft
        {
            FormId = form.Id,
            FormVersionId = version.Id,
            FormVersionNumber = 1,
            SecretHash = ReceiptNumbers.Hash(secret),
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddDays(1),
        };
        var problems = new List<FormError>();
        try
        {
            db.AddRange(form, version, draft);
            await db.SaveChangesAsync(ct);
            var cookie = $"{FormFilling.CookieName(form.Slug)}={draft.Id:N}.{secret}";
            foreach (var scenario in scenarios)
            {
                var page = definition.Pages[scenario.Page];
                var where = $"ページ '{page.Key}'{(scenario.Given.Count == 0 ? "" : $"（{string.Join("、", scenario.Given)} に回答したとき）")}";
                var path = $"$.pages[{scenario.Page}]";
                draft.AnswersJson = scenario.Answers.ToJsonString();
                await db.SaveChangesAsync(ct);

                var shown = await RenderAsync(sp, endpoint, form.Slug, page.Key, cookie, null, ct);
                if (shown.Status != StatusCodes.Status200OK)
                {
                    problems.Add(new FormError(path, $"{where}: 申請画面を表示できませんでした（HTTP {shown.Status}{shown.Error}）。ページの表示条件と項目を確かめてください。"));
                    continue;
                }
                problems.AddRange(RenderedPageCheck.Check(shown.Html, where).Select(m => new FormError(path, m)));

                // Wrong answers everywhere but in the answers the scenario needs: every field must say what is wrong, in Japanese.
                var (posted, expected) = WrongAnswers(page, scenario);
                var token = AntiforgeryField().Match(shown.Html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value) : "";
                posted["__RequestVerificationToken"] = token;
                posted["action"] = "next";
                var wrong = await RenderAsync(sp, endpoint, form.Slug, page.Key, $"{cookie}; {shown.Cookies}", posted, ct);
                if (wrong.Status != StatusCodes.Status200OK)
                {
                    if (expected.Count > 0) problems.Add(new FormError(path, $"{where}: 誤った回答を送っても誤りが示されませんでした（HTTP {wrong.Status}{wrong.Error}）。"));
                    continue;
                }
                problems.AddRange(RenderedPageCheck.CheckErrors(wrong.Html, where, expected).Select(m => new FormError(path, m)));
            }
        }
        finally
        {
            PublishedDefinitions.Forget(version.Id);
        }
        // The same fault shows in every scenario of a page: say it once.
        return [.. problems.DistinctBy(p => (p.Path, Regex.Replace(p.Message, "（[^）]*に回答したとき）", "")))];
    }

    /// <summary>Posted values that fail each field of the page (answers the scenario needs stay as they are), and the fields expected to fail.</summary>
    private static (Dictionary<string, StringValues> Posted, List<(string Path, string Id)> Expected) WrongAnswers(FormPage page, Scenario scenario)
    {
        var posted = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        var expected = new List<(string, string)>();
        var given = new HashSet<string>(scenario.Given, StringComparer.Ordinal);
        var shownKeys = new HashSet<string>(StringComparer.Ordinal);

        void Field(FormField f, string path, JsonNode? keep)
        {
            if (given.Contains(f.Key) && keep is not null)
            {
                Post(posted, f, path, keep);
                shownKeys.Add(f.Key);
                return;
            }
            // Only fields whose condition holds on what is posted are shown, and so checked.
            if (f.ShowWhen is { } c && !given.Contains(c.Field)) return;
            if (Wrong(f) is { } bad)
            {
                foreach (var (k, v) in bad) posted[k.Length == 0 ? path : $"{path}.{k}"] = v;
                expected.Add((path, FormFilling.Id(path)));
            }
            else if (f.Required || f.Type == FieldType.Consent)
            {
                expected.Add((path, FormFilling.Id(path)));
            }
        }

        foreach (var item in page.Items)
        {
            switch (item)
            {
                case FormField f:
                    Field(f, f.Key, scenario.Answers[f.Key]);
                    break;
                case FormGroup g when g.ShowWhen is null || given.Contains(g.ShowWhen.Field):
                    posted[$"{g.Key}.count"] = "1";
                    var first = (scenario.Answers[g.Key] as JsonArray)?.FirstOrDefault() as JsonObject;
                    foreach (var f in g.Fields) Field(f, $"{g.Key}[0].{f.Key}", first?[f.Key]);
                    break;
            }
        }
        return (posted, expected);
    }

    private static void Post(Dictionary<string, StringValues> posted, FormField f, string path, JsonNode value)
    {
        switch (value)
        {
            case JsonObject o:
                foreach (var (k, v) in o) posted[$"{path}.{k}"] = v?.ToString() ?? "";
                break;
            case JsonArray a:
                posted[path] = new StringValues([.. a.Select(v => v?.ToString() ?? "")]);
                break;
            default:
                posted[path] = f.Type == FieldType.Consent ? "true" : value.ToString();
                break;
        }
    }

    /// <summary>A value the field refuses, by part ("" = the field itself); null when none can be posted (files, 個人番号, consent).</summary>
    private static Dictionary<string, string>? Wrong(FormField f)
    {
        // Sensitive answers would go to the vault; a required one left empty is still checked.
        if (f.Sensitive) return null;
        return f.Type switch
        {
            FieldType.Text or FieldType.Address => new() { [""] = new string('あ', (f.Settings.MaxLength ?? 1000) + 1) },
            FieldType.LongText => new() { [""] = new string('あ', (f.Settings.MaxLength ?? 10_000) + 1) },
            FieldType.Number => new() { [""] = "数" },
            FieldType.Email or FieldType.Phone or FieldType.Postcode or FieldType.Date or FieldType.CorporateNumber => new() { [""] = "x" },
            FieldType.Select or FieldType.Radio or FieldType.Checkbox => new() { [""] = $"not-an-option-{Guid.NewGuid():N}" },
            FieldType.Name => new() { ["family"] = "江東" },
            _ => null,
        };
    }

    private sealed record Rendered(int Status, string Html, string Cookies, string Error);

    private sealed class BodySizeLimit : IHttpMaxRequestBodySizeFeature
    {
        public bool IsReadOnly => false;

        public long? MaxRequestBodySize { get; set; }
    }

    /// <summary>One request to the fill page's endpoint, in this scope (so on the transaction's connection), in Japanese.</summary>
    private static async Task<Rendered> RenderAsync(IServiceProvider sp, Endpoint endpoint, string slug, string step, string cookie, Dictionary<string, StringValues>? form, CancellationToken ct)
    {
        var context = new DefaultHttpContext { RequestServices = sp };
        var request = context.Request;
        request.Method = form is null ? HttpMethods.Get : HttpMethods.Post;
        request.Scheme = "https";
        request.Host = new HostString("localhost");
        request.Path = $"/forms/{slug}/{step}";
        request.Headers.Cookie = cookie;
        request.RouteValues = new RouteValueDictionary { ["page"] = FillPage, ["slug"] = slug, ["step"] = step };
        // What Kestrel gives every request: the page's size limits apply to it (without the feature
        // MVC logged a warning for each rendered page, 30 lines in a `demo load`).
        context.Features.Set<IHttpMaxRequestBodySizeFeature>(new BodySizeLimit());
        if (form is not null)
        {
            // Posted as a browser does, so the page's form limits read the body themselves.
            var encoded = Encoding.ASCII.GetBytes(QueryString.Create(form).ToUriComponent().TrimStart('?'));
            request.ContentType = "application/x-www-form-urlencoded";
            request.ContentLength = encoded.Length;
            request.Body = new MemoryStream(encoded, writable: false);
        }
        context.Items[typeof(Language)] = Language.Ja;
        context.RequestAborted = ct;
        context.SetEndpoint(endpoint);
        using var body = new MemoryStream();
        context.Response.Body = body;

        var accessor = sp.GetRequiredService<IHttpContextAccessor>();
        // Run in a flow of its own: setting the accessor here must not clear the caller's request (a designer's page).
        Task run;
        using (ExecutionContext.SuppressFlow())
        {
            run = Task.Run(async () =>
            {
                accessor.HttpContext = context;
                try
                {
                    await endpoint.RequestDelegate!(context);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A page that cannot be drawn is a problem of the form, reported like the others.
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    context.Items["error"] = e.Message;
                }
                finally
                {
                    accessor.HttpContext = null;
                }
            }, ct);
        }
        await run;
        var cookies = string.Join("; ", context.Response.Headers.SetCookie.Select(c => c?.Split(';')[0]).Where(c => c is not null && !c.StartsWith(FormFilling.CookiePrefix, StringComparison.Ordinal)));
        return new Rendered(context.Response.StatusCode, Encoding.UTF8.GetString(body.ToArray()), cookies, context.Items["error"] is string error ? $": {error}" : "");
    }

    private static async Task<Endpoint> FillEndpointAsync(IServiceProvider sp)
    {
        // From the page's action descriptor, not the routing table: a CLI command never starts the
        // host, so routing never collects the endpoints (nor builds the page's), while the descriptors are always there.
        var page = sp.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
            .OfType<PageActionDescriptor>().FirstOrDefault(d => d.ViewEnginePath == FillPage)
            ?? throw new InvalidOperationException($"the page {FillPage} is missing; publish checks need the app's Razor Pages");
        var compiled = page as CompiledPageActionDescriptor ?? await sp.GetRequiredService<PageLoader>().LoadAsync(page, EndpointMetadataCollection.Empty);
        // What the page's endpoint does: an action invoker for the descriptor (filters, binding, handler, view).
        var invokers = sp.GetRequiredService<IActionInvokerFactory>();
        RequestDelegate run = context =>
        {
            var invoker = invokers.CreateInvoker(new ActionContext(context, new RouteData(context.Request.RouteValues), compiled))
                ?? throw new InvalidOperationException($"no invoker for the page {FillPage}");
            return invoker.InvokeAsync();
        };
        return new Endpoint(run, new EndpointMetadataCollection(compiled.EndpointMetadata ?? []), FillPage);
    }
}
