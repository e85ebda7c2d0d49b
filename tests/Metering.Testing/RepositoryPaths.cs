namespace Metering.Testing;

/// <summary>Where the repository and the built services are, seen from a test assembly.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding <c>Metering.sln</c>.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The built entry assembly of a service, e.g. <c>Metering.Ingest</c>, in this run's configuration.</summary>
    public static string ServiceAssembly(string project)
    {
        // Test assemblies live in artifacts/bin/<project>/<configuration>/: the services are next door.
        var configuration = Path.GetFileName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(Root, "artifacts", "bin", project, configuration, project + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{project} is not built at {path}: run 'make build' (make test builds first).", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Metering.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Metering.sln above {AppContext.BaseDirectory}.");
    }
}
