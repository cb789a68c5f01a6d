package interop_test

// The routers, the Redis limiter and the metrics that the README's
// snippets are compiled against (TestEveryGoSnippetInTheREADMECompiles):
// imported here so that the module requires them.
import (
	_ "github.com/gin-gonic/gin"
	_ "github.com/go-chi/chi/v5"
	_ "github.com/labstack/echo/v4"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/collectors"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/redis/go-redis/v9"

	_ "github.com/flexinference/flexguard/contrib/prommetrics"
	_ "github.com/flexinference/flexguard/contrib/redislimit"
)
