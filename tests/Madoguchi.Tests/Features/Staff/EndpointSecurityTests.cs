using System.Net;
using System.Net.Http.Headers;
using Madoguchi.Tests.Infrastructure;
using Madoguchi.Web.Features.Insight;
using Madoguchi.Web.Features.Staff;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Madoguchi.Tests.Features.Staff;

/// <summary>
/// DESIGN.md §4.1, §4.2 and §4.5 over every endpoint of the running app, so that each module added
/// later is covered without anyone remembering to add it here.
/// </summary>
public sealed class EndpointSecurityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Endpoints that declare neither a policy ([Authorize]) nor [AllowAnonymous]; the fallback policy does not count.</summary>
    public static IReadOnlyList<string> Undeclared(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count == 0)
            .Select(e => e.DisplayName ?? e.RoutePattern.RawText ?? "?").ToList();

    [Fact]
    public async Task Every_endpoint_declares_its_authorization()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        Assert.Empty(Undeclared(app.Services));
        Assert.True(app.Services.GetRequiredService<EndpointDataSource>().Endpoints.Count > 20);
    }

    [Fact]
    public async Task The_sweep_catches_an_endpoint_added_without_a_policy()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        using var withHole = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IStartupFilter, UnprotectedEndpoint>()));

        var undeclared = Undeclared(withHole.Services);

        Assert.Equal(["/test/forgotten"], undeclared.Select(x => x.Split(' ')[^1]));
    }

    private sealed class UnprotectedEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.UseRouting();
            app.UseEndpoints(e => e.MapGet("/test/forgotten", () => "oops").WithDisplayName("/test/forgotten"));
        };
    }

    private enum Expect { Ok, SignIn, Denied, NotFound, Unauthorized, Forbidden, Redirect }

    /// <summary>
    /// Expected outcome of each GET route for: anonymous, staff of another department, the right staff.
    /// A route missing here fails the test, so a new page must state who may see it.
    /// </summary>
    private static readonly Dictionary<string, (Expect Anonymous, Expect OtherDepartment, Expect Owner)> Matrix = new()
    {
        ["/"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/error"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/healthz"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/lang"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        ["/kpi"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        // Residents' status page: public, answers the same for an unknown number and a wrong key.
        ["/status/{receipt?}"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/kpi/csv/{table}"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/api/v1/kpi/online"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/api/v1/kpi/departments"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/api/v1/kpi/trend"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/api/v1/kpi/usage"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/api/v1/kpi/forms"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/kpi/csv/forms"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/api/v1/postcodes/{code}"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        // The OpenAPI document: describes the endpoints, holds no data.
        ["/api/v1/openapi.json"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/staff/signin"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/staff/signin/code"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        ["/staff/signin/enrol"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        // OpenID Connect: back to the sign-in page when not configured or without the provider's answer.
        ["/staff/signin/oidc"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        ["/staff/signin/oidc/callback"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        ["/staff/signin/oidc/done"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        ["/staff"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        ["/staff/denied"] = (Expect.SignIn, Expect.Forbidden, Expect.Forbidden),
        ["/staff/profile"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        // How long the staff session has left (the timeout warning): open, and says only "signed in or not" to others.
        ["/staff/session"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/staff/admin/users"] = (Expect.SignIn, Expect.Denied, Expect.Denied),
        ["/staff/inventory"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        ["/staff/inventory/{id:guid}"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        ["/staff/inventory/{id:guid}/edit"] = (Expect.SignIn, Expect.Denied, Expect.Denied),
        ["/staff/inventory/import"] = (Expect.SignIn, Expect.Denied, Expect.Denied),
        ["/staff/inventory/export"] = (Expect.SignIn, Expect.Denied, Expect.Denied),
        // A procedure's ledger export template: staff of its department (dx, admin); another department's answers 404.
        ["/staff/inventory/{id:guid}/export-template"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        ["/staff/audit"] = (Expect.SignIn, Expect.Denied, Expect.Denied),
        // Submissions per form: the list shows only one's own department's forms; another's form answers 404.
        ["/staff/forms"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        ["/staff/forms/{slug}/submissions"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        // Ledgers (台帳): the list names only one's own department's procedures; another's ledger and its columns answer 404.
        ["/staff/ledger"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        ["/staff/ledger/{procedureId:guid}"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        ["/staff/ledger/{procedureId:guid}/columns"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        // A form's funnel: no personal data, but still only its department's (and dx, admin, auditor).
        ["/staff/forms/{slug}/funnel"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        // Intake rules and the lottery of a form: same department scope as its submissions.
        ["/staff/forms/{slug}/intake"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        // Form designer: department-scoped like the submissions list; the item page needs ?page=&index= (or &add=), so the bare URL is 404 for all.
        ["/staff/designer"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        ["/staff/designer/new"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        ["/staff/designer/{slug}"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        ["/staff/designer/{slug}/settings"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        ["/staff/designer/{slug}/pages/{pageKey}"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        ["/staff/designer/{slug}/item"] = (Expect.SignIn, Expect.NotFound, Expect.NotFound),
        ["/staff/designer/{slug}/preview"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        // A procedure's webhooks: managers (of its department: another's answers 404, WebhookPagesTests) and admins only.
        ["/staff/inventory/{id:guid}/webhooks"] = (Expect.SignIn, Expect.Denied, Expect.Denied),
        ["/staff/inventory/{id:guid}/webhooks/deliveries"] = (Expect.SignIn, Expect.Denied, Expect.Denied),
        // Staff API: tried with each member's read token (anonymous: no token).
        ["/api/v1/procedures"] = (Expect.Unauthorized, Expect.Ok, Expect.Ok),
        // Cases API ({id} is the case submitted below; {fileId} no file of it): the procedure's department only.
        ["/api/v1/procedures/{procedureId:guid}/cases"] = (Expect.Unauthorized, Expect.NotFound, Expect.Ok),
        ["/api/v1/cases/{id:guid}"] = (Expect.Unauthorized, Expect.NotFound, Expect.Ok),
        ["/api/v1/cases/{id:guid}/files/{fileId:guid}"] = (Expect.Unauthorized, Expect.NotFound, Expect.NotFound),
        // Ledger export (Features/Exports): a file of the procedure's cases for its department only (GET without format: CSV).
        ["/api/v1/procedures/{procedureId:guid}/cases/export"] = (Expect.Unauthorized, Expect.NotFound, Expect.Ok),
        ["/staff/ledger/{procedureId:guid}/export"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        // A procedure's scheduled export and its runs: its department only.
        ["/staff/ledger/{procedureId:guid}/exports"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        // Published forms are public; {slug} is the form published below.
        ["/api/v1/forms"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/api/v1/forms/{slug}"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        // Residents' form pages: the start page is public; a page of a draft without its cookie goes back to the start.
        ["/forms/{slug}"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/forms/{slug}/{step}"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        ["/forms/{slug}/check"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        ["/forms/resume"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        // Residents' sign-in (Features/Applicants): the callback without the provider's answer, and where a lost one lands.
        ["/forms/applicant/signin/callback"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        ["/forms/applicant/signin/failed"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        // Mailing a resume link is a POST with the draft cookie; a GET only points to the resume page.
        ["/forms/save"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        // Queue core: offices are open data; the kiosk asks a browser without its cookie for the device token;
        // a slip needs the kiosk cookie of its office; a QR code of an unknown ticket is 404.
        ["/api/v1/offices"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/kiosk"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/kiosk/tickets/{token}"] = (Expect.Redirect, Expect.Redirect, Expect.Redirect),
        ["/kiosk/qr/{token}"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        // Counter console: counter staff (and staff, managers, admins); kiosk devices: admins only.
        ["/staff/queue/console"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        ["/staff/queue/kiosks"] = (Expect.SignIn, Expect.Denied, Expect.Denied),
        // Wait estimates' accuracy (no personal data): whoever works the queue.
        ["/staff/queue/accuracy"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        // Live congestion (Features/Queue/Live): public; {office:guid} is an office that does not exist, {token} an unknown ticket.
        ["/queue"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/queue/offices/{office:guid}"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        ["/queue/offices/{office:guid}/display"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        ["/queue/tickets/{token}"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        ["/api/v1/offices/{office:guid}/congestion"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        ["/api/v1/offices/{office:guid}/congestion/stream"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        ["/api/v1/announcements"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        // Queue statistics: every staff role (no personal data; offices belong to no department, like the console).
        ["/staff/queue/statistics"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        // Queue open data (CC BY 4.0): public; {office:guid} is an office that does not exist.
        ["/opendata/queue"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/opendata/queue/index.json"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/opendata/queue/offices/{office:guid}.json"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        ["/opendata/queue/offices/{office:guid}/daily.csv"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        // Staff keying paper applications (Features/Cases): the procedure's department only; a keyed draft's pages
        // (the residents' fill and check pages on a staff route) are its keyer's, so a draft id not theirs is 404.
        ["/staff/ledger/{procedureId:guid}/new"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        ["/staff/ledger/{procedureId:guid}/new/{draftId:guid}/{step}"] = (Expect.SignIn, Expect.NotFound, Expect.NotFound),
        ["/staff/ledger/{procedureId:guid}/new/{draftId:guid}/check"] = (Expect.SignIn, Expect.NotFound, Expect.NotFound),
        // Changing a keyed draft's channel and 受付日: likewise its keyer's only.
        ["/staff/ledger/{procedureId:guid}/new/{draftId:guid}"] = (Expect.SignIn, Expect.NotFound, Expect.NotFound),
        // Workflow settings: the department's manager or an admin; its staff are denied, other departments 404.
        ["/staff/ledger/{procedureId:guid}/settings"] = (Expect.SignIn, Expect.NotFound, Expect.Denied),
        ["/staff/ledger/{procedureId:guid}/stats"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        // Case page and its files ({id} is the case submitted above; {fileId} no file of it): the procedure's department only.
        ["/staff/cases/{id:guid}"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        ["/staff/cases/{id:guid}/files/{fileId:guid}"] = (Expect.SignIn, Expect.NotFound, Expect.NotFound),
        // A procedure's notification templates: its department only.
        ["/staff/ledger/{procedureId:guid}/notifications"] = (Expect.SignIn, Expect.NotFound, Expect.Ok),
        // The applicant's 補正 page: only a live secret opens it; a wrong one is the same 404 for everyone.
        ["/corrections/{secret}"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        // Reservations (Features/Queue/Reservations): booking is public; an unknown office is 404, the booking form
        // without a date and time is 404; a reservation page and its QR code open only with their own secret.
        ["/reservations"] = (Expect.Ok, Expect.Ok, Expect.Ok),
        ["/reservations/{office:guid}"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        ["/reservations/{office:guid}/book"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        ["/reservations/r/{token}"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        ["/reservations/r/{token}/qr"] = (Expect.NotFound, Expect.NotFound, Expect.NotFound),
        // The day's reservations (names, e-mails; audited): counter staff and up. The staffing plan: admins.
        ["/staff/queue/reservations"] = (Expect.SignIn, Expect.Ok, Expect.Ok),
        ["/staff/queue/staffing"] = (Expect.SignIn, Expect.Denied, Expect.Denied),
    };

    [Fact]
    [Trait("storage", "true")]
    public async Task Every_route_is_tried_anonymous_as_another_department_and_as_the_owner_with_security_headers()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var ours = Builders.Department("区民部", "区民課");
        var theirs = Builders.Department("福祉部", "介護保険課");
        var procedure = Builders.Procedure("KT-1", ours, p => p.Name = "住民票の写しの交付申請");
        await app.SaveAsync(ours, theirs, procedure);
        await app.SaveAsync(new Madoguchi.Web.Features.Postcodes.Postcode { Code = "1350016", CityCode = "13108", Prefecture = "東京都", City = "江東区", Town = "東陽" });
        await using (var scope = app.Scope())
        {
            var forms = scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Features.Forms.FormService>();
            await forms.ImportAsync(Madoguchi.Tests.Features.Forms.FormParserTests.Minimal, "KT-1", "test", Ct);
            await forms.PublishAsync("test-form", "test", Ct);
        }
        Guid caseId;
        using (var resident = app.CreatePlainClient())
        {
            var answers = new System.Text.Json.Nodes.JsonObject
            {
                ["kind"] = "a",
                ["members"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["memberName"] = new System.Text.Json.Nodes.JsonObject { ["family"] = "江東", ["given"] = "花子", ["familyKana"] = "コウトウ", ["givenKana"] = "ハナコ" } }),
            };
            using var submitted = await Madoguchi.Tests.Features.Submissions.SubmissionKit.PostAsync(resident, answers, slug: "test-form");
            Assert.True(submitted.StatusCode == HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync(Ct));
            await using var scope = app.Scope();
            caseId = await scope.ServiceProvider.GetRequiredService<Madoguchi.Web.Data.MadoguchiDbContext>().Cases.Select(c => c.Id).SingleAsync(Ct);
        }
        var (owner, ownerLogin) = await app.SignInNewUserAsync(Roles.Staff, ours.Id);
        var (other, otherLogin) = await app.SignInNewUserAsync(Roles.Staff, theirs.Id);
        var tokens = new Dictionary<HttpClient, string>
        {
            [owner] = await TokenAsync(app, ownerLogin.Email),
            [other] = await TokenAsync(app, otherLogin.Email),
        };
        var anonymous = app.CreatePlainClient();

        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>() is not { } m || m.HttpMethods.Contains("GET"))
            .Select(e => "/" + (e.RoutePattern.RawText ?? "").Trim('/'))
            .Distinct().ToList();
        var untested = routes.Except(Matrix.Keys).ToList();
        Assert.True(untested.Count == 0, "routes without an expected outcome: " + string.Join(", ", untested));

        foreach (var route in routes)
        {
            // Case routes take the case's id; other {id} routes the procedure's.
            var isCase = route.StartsWith("/staff/cases/", StringComparison.Ordinal) || route.StartsWith("/api/v1/cases/", StringComparison.Ordinal);
            var url = route.Replace("{id:guid}", (isCase ? caseId : procedure.Id).ToString(), StringComparison.Ordinal)
                .Replace("{procedureId:guid}", procedure.Id.ToString(), StringComparison.Ordinal)
                .Replace("{fileId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{table}", KpiTable.Names[0], StringComparison.Ordinal)
                .Replace("{code}", "1350016", StringComparison.Ordinal)
                .Replace("{slug}", "test-form", StringComparison.Ordinal)
                .Replace("{step}", "first", StringComparison.Ordinal)
                .Replace("{pageKey}", "first", StringComparison.Ordinal)
                .Replace("{receipt?}", "0000-0000-0000", StringComparison.Ordinal)
                .Replace("{office:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{token}", "unknown-ticket", StringComparison.Ordinal)
                .Replace("/api/v1/announcements", "/api/v1/announcements?number=2013&counter=3", StringComparison.Ordinal)
                .Replace("{draftId:guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal)
                .Replace("{secret}", "0123456789abcdef0123456789abcdef", StringComparison.Ordinal);
            var expected = Matrix[route];
            foreach (var (client, expect, who) in new[] { (anonymous, expected.Anonymous, "anonymous"), (other, expected.OtherDepartment, "other department"), (owner, expected.Owner, "owner") })
            {
                var request = new HttpRequestMessage(HttpMethod.Get, url);
                if (IsTokenApi(url) && tokens.TryGetValue(client, out var token))
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }
                var response = await client.SendAsync(request, Ct);
                var body = await response.Content.ReadAsStringAsync(Ct);
                Assert.True(Matches(response, expect), $"{url} as {who}: expected {expect}, got {(int)response.StatusCode} {response.Headers.Location}");
                CheckHeaders(response, url, who);
                // Public open data (anonymous may read it too, e.g. per-procedure usage rates) names procedures by design.
                if (client == other && expected.Anonymous != Expect.Ok) Assert.False(body.Contains("住民票の写しの交付申請", StringComparison.Ordinal), $"{url} shows another department's procedure");
            }
        }
    }

    private static bool Matches(HttpResponseMessage r, Expect e) => e switch
    {
        Expect.Ok => r.StatusCode == HttpStatusCode.OK,
        Expect.SignIn => r.StatusCode == HttpStatusCode.Redirect && PathOf(r).StartsWith("/staff/signin", StringComparison.Ordinal),
        Expect.Denied => r.StatusCode == HttpStatusCode.Redirect && PathOf(r).StartsWith("/staff/denied", StringComparison.Ordinal),
        Expect.Redirect => r.StatusCode == HttpStatusCode.Redirect,
        Expect.NotFound => r.StatusCode == HttpStatusCode.NotFound,
        Expect.Unauthorized => r.StatusCode == HttpStatusCode.Unauthorized,
        Expect.Forbidden => r.StatusCode == HttpStatusCode.Forbidden,
        _ => false,
    };

    private static string PathOf(HttpResponseMessage r) => r.Headers.Location is { IsAbsoluteUri: true } u ? u.PathAndQuery : r.Headers.Location?.OriginalString ?? "";

    private static void CheckHeaders(HttpResponseMessage r, string url, string who)
    {
        string One(string name) => r.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : "";
        var csp = One("Content-Security-Policy");
        Assert.True(csp.Contains("frame-ancestors 'none'", StringComparison.Ordinal) && csp.Contains("script-src 'self'", StringComparison.Ordinal), $"{url} as {who}: CSP '{csp}'");
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", One("X-Content-Type-Options"));
        Assert.Equal("same-origin", One("Referrer-Policy"));
        Assert.StartsWith("max-age=", One("Strict-Transport-Security"));
        if (url.StartsWith("/staff", StringComparison.Ordinal) || IsTokenApi(url) || (who != "anonymous" && !url.StartsWith("/api/", StringComparison.Ordinal)))
        {
            Assert.True(r.Headers.CacheControl?.NoStore == true, $"{url} as {who}: no Cache-Control: no-store");
        }
    }

    /// <summary>Staff APIs tried with each member's token (anonymous: none).</summary>
    private static bool IsTokenApi(string url) => url.StartsWith("/api/v1/procedures", StringComparison.Ordinal) || url.StartsWith("/api/v1/cases", StringComparison.Ordinal);

    private static async Task<string> TokenAsync(MadoguchiFactory app, string email)
    {
        await using var scope = app.Scope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<StaffUser>>().FindByEmailAsync(email);
        return (await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync(user!, "matrix", "inventory:read,cases:read", null, Ct)).Secret;
    }

    [Fact]
    public async Task Session_cookies_are_secure_http_only_and_same_site_strict()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var (_, login) = await app.SignInNewUserAsync(Roles.Dx);
        var client = app.CreatePlainClient();
        var afterPassword = await MadoguchiFactory.PostFormAsync(client, "/staff/signin", new() { ["Input.Email"] = login.Email, ["Input.Password"] = login.Password });
        var final = await MadoguchiFactory.PostFormAsync(client, "/staff/signin/code", new() { ["Input.Code"] = Totp.Next(login.TotpKey) });

        var cookies = afterPassword.Headers.GetValues("Set-Cookie").Concat(final.Headers.GetValues("Set-Cookie"))
            .Where(c => c.StartsWith("madoguchi.", StringComparison.Ordinal)).ToList();
        Assert.Contains(cookies, c => c.StartsWith("madoguchi.pending=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("madoguchi.staff=", StringComparison.Ordinal));
        Assert.All(cookies, c =>
        {
            var lower = c.ToLowerInvariant();
            Assert.Contains("; secure", lower);
            Assert.Contains("; httponly", lower);
            Assert.Contains("; samesite=strict", lower);
        });
    }

    [Fact]
    public async Task Cookie_authenticated_unsafe_methods_need_the_antiforgery_token()
    {
        await using var app = await MadoguchiFactory.CreateAsync();
        var client = await app.SignedInClientAsync(Roles.Admin);

        var signOut = await client.PostAsync("/staff/signout", new FormUrlEncodedContent([]), Ct);
        var create = await client.PostAsync("/staff/admin/users", new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Email"] = "x@test.example", ["Input.Role"] = "dx" }), Ct);
        var everywhere = await client.PostAsync("/staff/profile?handler=SignOutEverywhere", new FormUrlEncodedContent([]), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, create.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, everywhere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/staff", Ct)).StatusCode);
    }
}
