import { handleTrpcHttp } from "@/server/http";

export const dynamic = "force-dynamic";

export { handleTrpcHttp as GET, handleTrpcHttp as POST };
