using System.Reflection;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Madoguchi.Web.Shared;

public static class WebPlatform
{
    /// <summary>Headers every response carries (DESIGN.md §4.5).</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        ctx.Response.OnStarting(() =>
        {
            var h = ctx.Response.Headers;
            h["X-Content-Type-Options"] = "nosniff";
            h["Referrer-Policy"] = "same-origin";
            h["Content-Security-Policy"] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
            h["X-Frame-Options"] = "DENY";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            // Only over TLS (directly or via the proxy's X-Forwarded-Proto): a plain-HTTP dev server stays usable.
            if (ctx.Request.IsHttps) h.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            // Staff pages, anything shown to a signed-in user and residents' pages marked [NoStore] may hold
            // personal data: never cached. Set here, when the response starts, for every such page: a page
            // that set it itself before rendering a form made antiforgery log a warning on every view.
            if (ctx.Request.Path.StartsWithSegments("/staff") || ctx.Request.Path.StartsWithSegments("/api/v1/procedures")
                || ctx.User.Identity?.IsAuthenticated == true || ctx.GetEndpoint()?.Metadata.GetMetadata<NoStoreAttribute>() is not null)
            {
                h.CacheControl = "no-store";
                h.Pragma = "no-cache";
            }
            return Task.CompletedTask;
        });
        await next();
    });

    /// <summary>
    /// Serves wwwroot from resources embedded in this assembly, so the CLI, the tests and a
    /// published app all serve the same files without depending on a content root.
    /// </summary>
    public static IApplicationBuilder UseEmbeddedStaticFiles(this IApplicationBuilder app)
    {
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new WwwrootProvider(Assembly.GetExecutingAssembly()),
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public, max-age=3600",
        });
    }

    /// <summary>Maps request paths to resources named "wwwroot/..." (see the csproj's LogicalName).</summary>
    private sealed class WwwrootProvider(Assembly assembly) : IFileProvider
    {
        private readonly DateTimeOffset _built = File.GetLastWriteTimeUtc(assembly.Location);
        private readonly HashSet<string> _names = [.. assembly.GetManifestResourceNames()];

        public IFileInfo GetFileInfo(string subpath)
        {
            var name = "wwwroot/" + subpath.TrimStart('/');
            return _names.Contains(name) ? new ResourceFile(assembly, name, _built) : new NotFoundFileInfo(subpath);
        }

        public IDirectoryContents GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;

        public Microsoft.Extensions.Primitives.IChangeToken Watch(string filter) => Microsoft.Extensions.FileProviders.NullChangeToken.Singleton;
    }

    private sealed class ResourceFile(Assembly assembly, string name, DateTimeOffset modified) : IFileInfo
    {
        public bool Exists => true;
        public long Length { get; } = GetLength(assembly, name);
        public string? PhysicalPath => null;
        public string Name => Path.GetFileName(name);
        public DateTimeOffset LastModified => modified;
        public bool IsDirectory => false;
        public Stream CreateReadStream() => assembly.GetManifestResourceStream(name)!;

        private static long GetLength(Assembly a, string n)
        {
            using var s = a.GetManifestResourceStream(n)!;
            return s.Length;
        }
    }
}
